// Starts GOV.UK Frontend's components (skip link, service navigation menu, error summary focus,
// notification banners, password reveal...). Loaded as a module, so old browsers skip it and get
// the plain HTML, which works on its own.
import { initAll } from '../govuk/govuk-frontend.min.js';

initAll();
