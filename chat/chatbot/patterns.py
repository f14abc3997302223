"""Fixed patterns for messages that are not questions about guidance: asking for a person,
frustration, abuse, attempts to change the bot's instructions, small talk and yes/no answers.

They run on folded text (lower case, straight apostrophes, no accents), in English and Welsh.
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_PEOPLE = (
    r"person|human|someone|somebody|some one|agent|adviser|advisor|advisors|advisers|operator|"
    r"member of staff|staff|real people|rhywun|ymgynghorydd|cynghorydd|person go iawn"
)
PERSON = _any(
    rf"\b(speak|talk|chat|speaking|talking)\b.{{0,30}}\b({_PEOPLE})\b",
    rf"\b(put me through|transfer me|connect me|pass me)\b.{{0,25}}\b({_PEOPLE})\b",
    r"\b(real|actual|live) (person|human|people|agent|adviser)\b",
    r"^\W*(a )?(human|agent|adviser|advisor|operator|person)( please| pls| now)?\W*$",
    r"\bi want (a|an) (human|person|agent|adviser|advisor)\b",
    r"\b(siarad|sgwrsio) (a|gyda|efo) (rhywun|person|ymgynghorydd)\b",
)
FRUSTRATED = _any(
    r"\b(useless|pointless|hopeless|ridiculous|rubbish|waste of (my )?time|not helping|"
    r"not helpful|unhelpful|going (round|around) in circles|fed up|sick of|had enough|"
    r"fuming|furious|this is a joke|for god'?s sake|ffs|wtf|omg)\b",
    r"\bi (already|have already) (said|told|tried|asked|did)\b",
    r"\b(that|this) (doesn'?t|does not|didn'?t|did not) help\b",
    r"\b(gwastraff amser|da i ddim|dim help|wedi cael llond bol)\b",
    r"!!!|\?\?\?",
)
ABUSE = _any(
    r"\b(fuck\w*|shit\w*|bastard|bitch|cunt|dickhead|twat|wanker|prick|arsehole|asshole|"
    r"moron|idiot|retard\w*|piss off|shut up|screw you|die)\b",
    r"\byou('re| are|r)? (so |such a |a |an )?(stupid|dumb|thick|useless|pathetic|worthless|"
    r"junk|rubbish|piece of)\b",
    r"\b(stupid|dumb|useless|pathetic) (bot|robot|machine|thing|computer)\b",
)
# Asked to write something: "write me", "draft", "make us".
_WRITE = r"(write|draft|compose|create|make|generate|design)( me| us)?"
INJECTION = _any(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules|prompt|"
    r"above|previous|guidelines|programming|restrictions)\b",
    r"\b(system|initial|original|hidden|your) prompt\b",
    r"^\W*system\s*:",
    r"\b(developer|dev|god|jailbreak|unrestricted|dan) mode\b",
    r"\bjailbreak\w*\b",
    r"\byou are now\b",
    r"\b(act|behave|respond) as (a|an|if)\b",
    r"\bpretend (to be|you are|you'?re|your|ur|u r|u are|that you)\b",
    r"\b(roleplay|role play)\b",
    r"\bnew (instructions|rules|persona)\b",
    r"\brepeat (the|your) (text|instructions|words) above\b",
    r"\b(hack|hacking) (an|into|someone|somebody)\b",
    # Asked to write something that passes itself off as GovSign or another body (phishing):
    # the bot only answers from guidance. Only as a request ("write me ..."), not "how do I make
    # sure a text that looks like it is from GovSign is real".
    rf"^\W*(please |pls |can you |could you |will you |now )?{_WRITE}\b.{{0,40}}\b(text|message|"
    r"email|e-mail|sms|letter|website|page|login)\b.{0,60}\b(looks?|looking|pretend\w*|as if|"
    r"appears?|fake|from (govsign|gov sign|the government|hmrc|a bank|the bank))\b",
    rf"^\W*(please |pls |can you |could you |will you )?{_WRITE} (a |an )?fake\b",
    # Asked for the service's own secrets, or other people's.
    r"\b(give|tell|show|send|reveal|share|leak|what'?s|what is)( me| us)?( the| your)? (admin|"
    r"administrator|root|system|staff|master|database|server|api)( account)? (password|passcode|"
    r"login|credentials|key|token)s?\b",
    r"\b(give|show|send|list|get|access|see)( me| us)? (the )?(other|all) (users|people|"
    r"citizens)'?s? (passwords|details|data|accounts|emails|email addresses|addresses|codes)\b",
)
# Asked to do something other than answer from guidance: a poem, a story, homework.
OTHER_TASK = re.compile(
    r"^\W*(please |pls |can you |could you |will you |i want you to )?(write|compose|make up|"
    r"tell|sing)( me| us)? (a |an |some )?(poem|song|story|stories|essay|limerick|rap|haiku|"
    r"riddle|joke)s?\b|\b(do|help with|help me with) my (homework|essay|assignment|coursework)\b"
)
GREETING = re.compile(
    r"^\W*(hi|hiya|hello|helo|hey|hey there|hello there|good (morning|afternoon|evening)|"
    r"shwmae|sut mae|helo|bore da|prynhawn da|noswaith dda)( there)?\W*$"
)
THANKS = re.compile(
    r"^\W*((ok(ay)?|great|brilliant|perfect|lovely|cheers)[ ,!.]*)?(thanks?( you)?( so much| "
    r"very much| a lot)?|thankyou|ta|cheers|diolch( yn fawr)?)\W*(bye|that'?s all)?\W*$"
)
YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|it did|that did|sorted|that helped|that'?s helped|"
    r"that('s| is) (it|great|perfect|what i (needed|wanted))|perfect|great|brilliant|"
    r"ydy|oedd|gwych|perffaith)\b"
)
NO = re.compile(
    r"^\W*(no|nope|nah|not really|not quite|no it didn'?t|it didn'?t|that didn'?t|"
    r"didn'?t help|that'?s not it|that'?s not what i|not what i|wrong|neither|none of (them|those)|"
    r"na|naddo|nac ydy|nac oedd)\b"
)
ABOUT_BOT = _any(
    r"\bare you (a |an )?(bot|robot|human|real|person|computer|machine|ai|chatbot)\b",
    r"\b(who|what) are you\b",
    r"\bhow old are you\b",
    r"\bwhat('s| is) your name\b",
    r"\bydych chi'?n (berson|robot|bot)\b",
)


def is_person_request(text: str) -> bool:
    return PERSON.search(text) is not None


def is_person_request_only(text: str) -> bool:
    """ "I want a real person" asks for one; "are you a real person?" asks about the bot."""
    return is_person_request(text) and not re.search(r"\bare you\b|\bydych chi\b", text)


_SOMEONE = re.compile(rf"\b((a|an|the) )?((real|actual) )?({_PEOPLE})( beings?)?\b")


# How soon or how politely a person is wanted: part of the request, not a question.
_REQUEST_MANNER = re.compile(
    r"\b(right now|now|asap|as soon as possible|immediately|straight away|urgently|urgent|"
    r"quickly|today|please|pls|would like|like to)\b"
)


def without_person_request(text: str) -> str:
    """What else a message asks once its request for a person is taken out ("is anyone in on
    a bank holiday? I need to speak to a human right now" leaves "is anyone in on a bank
    holiday? I need to")."""
    return " ".join(_REQUEST_MANNER.sub(" ", PERSON.sub(" ", text)).split())


def without_people(text: str) -> str:
    """A message without the people it asks for, but with how it wants to reach them ("is there
    a live chat with a real human" leaves "is there a live chat with"): the question to look up
    in the guidance, which has an article on ways to contact us."""
    return " ".join(_SOMEONE.sub(" ", text).split())


def without_frustration(text: str) -> str:
    """What else a frustrated message says once the words of frustration are taken out."""
    return " ".join(FRUSTRATED.sub(" ", text).split())


# What a citizen says of themselves ("sorry, I'm rubbish with computers", "I'm hopeless at this
# stuff") is not frustration with the service: it is left out before looking for frustration.
SELF_DOUBT = re.compile(
    r"\b(i'?m|i am|im)( so| really| a bit| bit| totally| just| completely)? "
    r"(useless|hopeless|rubbish|pointless)\b"
)


def is_frustrated(text: str, original: str) -> bool:
    if FRUSTRATED.search(SELF_DOUBT.sub(" ", text)):
        return True
    letters = [c for c in original if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


# Other organisations and other public services, named: a question about one of them ("my
# Amazon account is locked", "when is my child benefit paid") is for that organisation, however
# many words it shares with our guidance. A general list of household names and services, not
# answers. Email providers, app stores and authenticator apps are left out on purpose: they
# are part of using GovSign ("I don't use my hotmail any more"), and so are the services that
# use GovSign when the question is about GovSign (see ``ABOUT_GOVSIGN``).
_COMPANIES = (
    r"amazon|ebay|paypal|netflix|spotify|disney\+?|facebook|instagram|whatsapp|tiktok|twitter|"
    r"snapchat|linkedin|youtube|uber|deliveroo|just eat|tesco|sainsbury'?s|asda|morrisons|argos|"
    r"royal mail|evri|hermes|dpd|parcelforce|barclays|lloyds|natwest|santander|hsbc|halifax|"
    r"nationwide|monzo|starling|revolut|vodafone|virgin media|sky|bt|o2|xbox|playstation|"
    r"nintendo|steam|roblox|fortnite|airbnb|booking\.com|ryanair|easyjet|klarna|vinted|"
    r"apple id|icloud|google account|microsoft account"
)
_OTHER_SERVICES = (
    r"universal credit|child benefit|tax credits?|council tax|state pension|pension credit|"
    r"housing benefit|jobseeker'?s allowance|jobcentre|pip|esa|blue badge|tv licen[cs]e|"
    r"fishing licen[cs]e|driving test|theory test|car tax|vehicle tax|mot|parking (fine|permit|"
    r"ticket)|bin collection|electoral (roll|register)|register to vote|polling station|"
    r"birth certificate|marriage certificate|death certificate|nhs app|gp|prescriptions?|"
    r"tax refund|tax rebate|tax code|self assessment|student loan|student finance|"
    r"renew (my |a )?passport|passport (renewal|office|application)|visa|energy bills?|"
    r"winter fuel|cost of living payment"
)
# Other kinds of account and device a citizen has, which share GovSign's words (password, PIN,
# locked, email) but are for someone else: a bank, the wifi's owner, an employer's or school's
# IT, the phone's maker. Named by what makes them someone else's, never by the shared word alone:
# a phone receiving security codes, an email address used to sign in, bank cards as proof of
# identity and "locked" are GovSign's.
_DEVICE = r"(iphone|ipad|android|phone|mobile|tablet|samsung|pixel|laptop|computer|pc|mac)"
_WORKPLACE = r"(work|school|college|uni|university|office|company|corporate)"
_OTHER_ACCOUNTS = (
    r"(online|mobile|internet|telephone|phone) banking|banking (app|password|login)|"
    r"bank (app|login|log in|password)|"
    r"(bank|debit|credit|cash) card\b.{0,40}\b(pin|locked|blocked|frozen|declined)|"
    r"(pin|pin number)\b.{0,40}\b(bank|debit|credit|cash) card|(card|cash machine|atm) pin|"
    r"(wi-?fi|wireless|broadband|router|hotspot|internet) (password|passcode|code|key|login)|"
    r"password (for|to|of) (the |my |your )?(wi-?fi|broadband|router|internet)|"
    rf"{_WORKPLACE} (email|e-mail|outlook|account|login|computer|laptop|network|teams) "
    r"(is |has been |got |was |keeps )?(getting )?(locked|blocked|disabled|suspended)|"
    rf"unlock (my |the )?{_WORKPLACE} (email|e-mail|outlook|account|login|computer|laptop)|"
    rf"{_WORKPLACE} (email|e-mail|outlook|computer|laptop|network) password|"
    r"it (department|policy|policies|helpdesk|help desk|support|team|admin|administrator)|"
    rf"{_DEVICE}'?s? (passcode|lock ?screen|screen lock|unlock code|unlock pin|pin code)|"
    rf"(passcode|pin|lock ?screen|screen lock|face id|face unlock|fingerprint unlock) "
    rf"(on|for|of|to unlock) (my |the |your )?(new |old |work |android |apple )?{_DEVICE}|"
    r"(lock ?screen|screen lock) (pin|passcode|password|code|pattern)|"
    r"(games?|gaming) (console|account)"
)
OTHER_ORGANISATION = re.compile(rf"\b(?:{_COMPANIES}|{_OTHER_SERVICES}|{_OTHER_ACCOUNTS})\b")
ABOUT_GOVSIGN = re.compile(
    r"\bgov ?sign\b|\b(with|through|using|via|by) (this|it|you)\b|\buse (this|it|you) (for|to)\b|"
    r"\b(sign|log) ?(in|into|on) with\b|\bprove (my |your |their |his |her )?identity\b|"
    r"\bverify (my |your )?(identity|id)\b|\bsecurity code\b|"
    r"\b(new |single |one )?government (login|log ?in|sign ?in)\b"
)


def other_organisation(text: str) -> str | None:
    """The other organisation or service the message is about (not GovSign), if any."""
    if ABOUT_GOVSIGN.search(text) is not None:
        return None
    match = OTHER_ORGANISATION.search(text)
    return match.group(0) if match else None
