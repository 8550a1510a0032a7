"""The words and phrases that ``text.py`` reads a comment with: data only, no matching.

How a cue is written: words and short phrases; ``a|b`` offers alternative words at one place
(never alternative phrases), ``*`` ends a prefix, ``=`` asks for the word exactly as written,
not its stem, and ``...`` allows up to three words in between. Apostrophes are dropped, as
they are from the comment ("didnt"). A plain word matches every word of the same Porter2 stem,
and that stem can be shared by words of another meaning: "lovely" and "love", "dismissive"
and "dismissed", "careful" and "care", "except" and "exceptional". Such a word is written with
``=`` (or as a prefix, "helpful*", to keep "helpfully" and not "help"). How cues, negators and
the other lists below are applied is said in ``text.py``'s docstring.
"""

# Theme cues: (cues, theme when plain, theme when negated). None: the cue names no theme in
# that state, but still claims its words, so a longer phrase can keep a shorter cue from
# firing. Of two cues that match the same words, the one listed first wins.

THEME_CUES: tuple[tuple[tuple[str, ...], str | None, str | None], ...] = (
    # Waiting to get through.
    (
        (
            "on hold",
            "hold for",
            "holding",
            "kept wait*",
            "long wait*",
            "min|mins|minute* wait*",
            "hour* wait*",
            "the wait",
            "wait* ... min|mins|minute*|hour*|ages|forever|long|lengthy",
            "wait*|waiting time*|list*",
        ),
        "waiting",
        "praise",
    ),
    # Weak cues (WEAK below): said of a wait for anything.
    (
        (
            "=waiting|=waited|=wait|=waits",
            "=awaiting",
            "=delay|=delays|=delayed",
        ),
        "waiting",
        "praise",
    ),
    (
        (
            "still waiting|awaiting",
            "wait* ... week*|month*|year*",
            "=quicker|=faster|=sooner",
            "=slow|=slower",
            "take*|takes|took|taking ... long|ages|forever|while",
            "few and far between",
        ),
        "waiting",
        None,
    ),
    # A waiting room is no wait.
    (("waiting area*|room*", "the|a waiting area*|room*"), None, None),
    (
        (
            "queu*",
            "to get through",
            "=getting through",
            "cut off",
            "call* ... dropped|drop*",
            "hung|hang up",
            "gave up",
            "rang|rings and rang|rings",
            "kept ringing",
            "recorded message",
            "call is important",
            "on the phone|line for",
            "hour* on the phone|line",
            "took ... to answer",
            "take*|takes|taking ... to answer",
            "to it ring*",
        ),
        "waiting",
        None,
    ),
    (("listen* to it ring*",), "waiting", "waiting"),
    (("answer*", "get|got through", "pick*|picked up"), None, "waiting"),
    # Attitude of the call handler (and of anyone else the caller dealt with).
    (
        (
            "rude*",
            "=dismissive",
            "dismissed me",
            "patronis*",
            "patroniz*",
            "condescend*",
            "sarcastic",
            "abrupt*",
            "arrogant",
            "talk*|talked|spoke|spoken down",
            "spoke|spoken|talked to me like",
            "like|as a child|criminal|idiot|number|nuisance|liar",
            "treat*|treated ... like|as ... child|criminal|idiot|number|liar|suspect",
            "treat*|treated ... badly|appall*|poor*|terribl*|disgrace*|horribl*|awful*|rudely",
            "nuisance",
            "wasting police|your|their|his|her time",
            "waste of police time",
            "time waster|waster",
            "=laughed|=laughing",
            "=bored",
            "uninterested",
            "disinterested",
            "judged",
            "=judgemental|=judgmental",
            "blam*",
            "unhelpful",
            "fob* off",
            "fobbed",
            "=rushed|=rushing",
            "attitude",
            "=ignorant",
            "he|she|they|officer*|handler*|staff|operator|taker|man|woman|lady|nurse*|doctor*"
            " ... cold",
            "cold manner|tone|attitude|towards|with",
            "unfriendly",
            "unpleasant",
            "impersonal",
            "intolerant",
            "cynical",
            "belittl*",
            "humiliat*",
            "uncaring",
            "insensitive",
            "unsympathetic",
            "impatient",
            "unkind",
            "unapproachable",
            "condescending",
            "interrupt*",
            "script",
            "unprofessional",
            "disrespect*",
            "rolled ... eyes",
            "snapped",
            "shout*",
            "made to feel",
            "made me feel stupid|small|guilty",
            "felt|feel stupid",
        ),
        "handler_attitude",
        None,
    ),
    # Staff too busy to be blamed, and a patient moved in haste: not about their manner.
    (("=rushed|=rushing off ... feet", "=rushed from|to|between"), None, None),
    (
        (
            "=interested|=interest",
            "=want|=wanted to help|listen|know",
            "=want|=wanted to be there",
            "bothered",
            "believe* me",
            "let me explain|speak|finish",
        ),
        None,
        "handler_attitude",
    ),
    (
        (
            "cared less",
            "didnt|dont|doesnt|never|not|wouldnt|couldnt|nobody|noone =care|=cares|=cared",
            "didnt|dont|doesnt seem|seemed to =care",
            "more|need*|needs|better training",
            "everything ... too much trouble",
        ),
        "handler_attitude",
        "handler_attitude",
    ),
    (("fault",), "handler_attitude", "praise"),
    (
        (
            "helpful*",
            "listen*",
            "empath*",
            "sympathetic",
            "professional*",
            "polite",
            "take|took|taken|taking ... serious*",
            "=caring",
            "kind",
            "kindly",
            "kindness",
            "reassur*",
            "=understanding",
            "=patient",
            "patience",
            "=supportive",
            "compassion*",
            "respectful",
            "=respect",
            "friendly",
            "courteous",
            "=considerate",
            "attentive",
            "approachable",
            "welcoming",
            "good|great|positive|excellent|lovely|brilliant|caring|friendly|helpful|kind =attitude",
            "treat*|treated ... as|like ... individual*|person|people|human*|adult*",
            "show*|showed ... empathy|compassion|respect|kindness|care|interest|understanding",
            "non =judgemental|=judgmental|judging",
            "without judg*",
        ),
        "praise",
        "handler_attitude",
    ),
    # Not kept informed.
    (("=keep|=keeps ... updated|=informed", "=keep|=keeps ... up to date"), None, "not_informed"),
    (
        (
            "poor|bad|lack|little|inadequate|limited|zero|minimal|insufficient|improv*|clearer"
            " ... communicat*|comms|information|info|explanation*|contact|feedback|updat*",
            "poor|bad|lack|little|inadequate|limited|zero|minimal|insufficient|improv*|clearer"
            " ... follow up",
            "more|better communicat*|comms|information|info|explanation*|contact|feedback|updates",
            "more|better follow up",
            "communicat*|comms|information|info|explanation*|follow"
            " ... poor|bad|lacking|lacked|limited|inadequate|difficult|awful|terrible|rubbish",
            "communicat*|comms|information|info|explanation*|follow"
            " ... shocking|appalling|nonexistent|confusing|unclear|patchy|minimal",
            "communicat*|comms|information|info|explanation*|follow ... non existent",
            "communicat*|comms|information|info|explanation*|follow"
            " ... could|should|can|needs|need ... better|improv*|clearer",
            "need* ... updat*|inform*|communicat*|explain*|contact*",
            "=clearer",
            "unclear",
            "confus*",
            "clarification",
        ),
        "not_informed",
        None,
    ),
    (
        (
            "heard|hear back|anything|from",
            "got|get|gets|getting back",
            "contact*",
            "=rang|=rung|=phoned|=called",
            "call|ring|phone me",
            "call|ring|=rang|=called|=phoned ... back",
            "callback",
            "updat*",
            "repl*",
            "return* ... call*|email*|messag*",
            "word",
            "told",
            "=tell|=telling",
            "in touch",
            "communicat*|comms",
            "information|info|explanation*",
            "=inform|=informed|=informing",
            "aware",
            "=clarity",
            "explain*",
            "know|knowing ... what*|why|when|where|who|how|if|whether|anything|progress|outcome",
            "know|knowing ... time*|date*|result*|name*",
            "know|knowing ... what*|why|how ... happen*|doing|plan*",
            "know|knowing ... what*|why|how ... going on",
            "got|get|received|receive|had ... text|letter|=reference",
            "got|get|received|receive|had ... crime number",
        ),
        None,
        "not_informed",
    ),
    (
        ("=kept|=keeping ... updated|=informed", "=kept|=keeping ... up to date"),
        "praise",
        "not_informed",
    ),
    (
        (
            "heard|hear nothing|nowt",
            "in the dark",
            "chas*",
            "find|found out",
            "no idea what*",
            "then nothing",
        ),
        "not_informed",
        "praise",
    ),
    (("follow up|ups", "followup*"), None, "not_informed"),
    (("promised ... call*|update*|ring*|phone*",), "not_informed", "not_informed"),
    (("explained", "=clear", "=informative"), "praise", "not_informed"),
    # No attendance or late attendance.
    (
        (
            "came|come|comes|coming",
            "turn*|turned up",
            "show*|showed",
            "show*|showed up",
            "arriv*",
            "attend*",
            "visit*",
            "been round|out|=over",
            "been to see",
            "send*|sent",
            "officer*|police|unit*|patrol*|anyone|anybody|someone|one ... available",
            "saw|seen|see ... officer*|police*|anyone|anybody|pcso*",
        ),
        None,
        "attendance",
    ),
    (
        (
            "turn*|turned up ... hour*|day*|week*|later|after",
            "took ... day*|hour*|week*|long|ages ... attend*|arriv*|come|turn*|visit*|respond*",
            "hour*|day* for a response",
            "=waited|=wait|=stayed|=stay in all|for",
            "appointment* ... cancel*|missed",
            "cancel* ... appointment*|visit*",
            "nobody|noone|none ... available",
            "was|were|arrived|came late",
            "late to",
            "too late",
            "long gone",
            "slow ... respond*|response|attend*|arriv*",
        ),
        "attendance",
        "attendance",
    ),
    (("promised ... visit*|officer*|attend*",), "attendance", "attendance"),
    # Outcome, either way.
    (
        (
            "arrest*",
            "charg*",
            "caught",
            "catch*",
            "convict*",
            "prosecut*",
            "court",
            "sentenc*",
            "remand*",
            "justice",
            "=evidence",
            "cctv",
            "footage",
            "outcome",
            "result",
            "solved",
            "suspect*",
        ),
        "outcome",
        "outcome",
    ),
    (
        (
            "investigat*",
            "done",
            "did|do|does|doing|done anything",
            "can|could do",
            "happen*",
            "chang*",
            "came|come of it",
            "further action",
            "take|took|taken|taking ... statement*|report|details",
            "interested in catch*|finding|investigat*|looking",
        ),
        None,
        "outcome",
    ),
    (
        (
            "caution*",
            "releas*",
            "nfa",
            "case* ... clos*",
            "clos* ... case*",
            "clos* it",
            "=filed",
            "shelved",
            "lines|line of enquiry",
            "did|done|do|does|doing nothing",
            "still going on",
            "still happening",
            "still doing it",
            "still at it",
            "still there",
            "still on the corner",
            "are|is back",
            "keep*|kept happening",
            "getting|got worse",
            "civil matter",
            "wrong person",
            "let him|her|them go",
            "what is the point",
            "whats the point",
            "why bother",
            "unsolved",
            "has|have stopped",
            "stopped since",
            "recover*",
            "returned to me",
            "found and returned",
            "got my ... back",
        ),
        "outcome",
        None,
    ),
    # Praise.
    (
        (
            "thank*",
            "cheers",
            "brilliant",
            "excellent",
            "fantastic",
            "amazing",
            "great",
            "superb",
            "outstanding",
            "wonderful*",
            "=lovely",
            "nice",
            "calm",
            "big|real|huge =difference",
            "efficient",
            "prompt*",
            "quick*",
            "straight|right away",
            "within ... min|mins|minute*",
            "impress*",
            "=pleased",
            "happy",
            "=grateful",
            "appreciat*",
            "credit to",
            "above and beyond",
            "well done",
            "good",
            "easy",
            "=helped|=helps|=helping",
            "a great|big|real help",
            "pleasant",
            "cared for",
            "looked after",
            "thorough",
            "satisf*",
            "awesome",
            "fabulous",
            "marvellous",
            "terrific",
            "brill",
            "=best",
            "enjoy*",
            "comfortable",
            "at ease",
            "relaxed",
            "angel*",
            "=positive",
            "smooth*",
            "=deserve|=deserves|=deserved",
            "=praise",
            "compliment*",
            "highly recommend*",
            "nailed it",
            "made a|all =difference",
            "made all the =difference",
            "kept|keep|keeping ... safe",
            "very|so|really|extremely|went|done|dealt|handled|managed|communicated =well",
            "well organi*|run|managed|looked|cared|handled|done|explained|presented|supported",
            "made|make|makes|making ... easier|easy",
            "made|make|makes|making ... feel|felt ... ease|safe|welcome*|comfortable|cared",
            "made|make|makes|making ... feel|felt ... valued|relaxed|better|listened|heard",
            "made|make|makes|making ... feel|felt ... supported|positive|reassured|confident",
            "quicker|faster|sooner than expected|i|thought|anticipated",
            "keep up the good|great|excellent|fantastic|brilliant work",
            "nothing ... could|can|would ... better|differently|more",
            "not|couldnt|cannot|cant have been more|any|nicer|kinder|better",
            "not|couldnt|cannot|cant be more|any|nicer|kinder|better",
            "never =fail|=fails",
            "couldnt|cant|cannot ask|wish for better",
            "could not have asked|wished for better",
            "stayed on the line",
            "stayed with me",
            "feel|felt|feeling safe",
            "top notch",
            "spot on",
            "first class",
            "second to none",
            "10 10",
            "perfect",
            "=exceptional",
            "nothing to improve",
            "couldnt|cant|cannot ask for more",
            "couldnt|cant|cannot have asked for more",
            "could not have asked for more",
        ),
        "praise",
        None,
    ),
    (("complain*", "moan*", "bad", "too much trouble"), None, "praise"),
    # Nothing to say against it: the answer to "what could we have done better?"
    (
        (
            "think of anything|nothing",
            "think of any way|thing",
            "comes|springs to mind",
            "be|been improved|bettered",
            "improvement*|improvements needed|required|necessary|to suggest|to make",
            "improv* the|my|your|this|that|it|things|anything|on",
        ),
        None,
        "praise",
    ),
    # Phrases that claim their words and name nothing ("I appreciate you're busy, but ...").
    (
        (
            "appreciat* youre|that",
            "appreciat* you are",
            "i understand",
            "chas* them|him|her|off",
            "the|a|each|every|other|older|poorly|fellow|nhs|for|to|all|another|as =patient",
            "give|giving|make|making|just =patient",
            "done|do|did ... better|differently",
            "know how they|you do it",
        ),
        None,
        None,
    ),
)


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Negators: a cue up to four words after one of these, in the same clause, is negated.
NEGATORS = _words(
    "not no never nobody noone none nothing nowt without neither nor cannot hardly before",
    "didnt dont doesnt isnt arent wasnt werent hasnt havent hadnt cant couldnt wouldnt",
    "shouldnt wont aint neednt mustnt",
)
# Phrases that negate what follows ("not yet"); their last word is the negator.
NEGATING_PHRASES = ("still waiting for", "wait* ... for", "yet to", "failed to", "slow to")
# Wishes negate what follows and name nothing themselves ("would be nice to be kept informed").
WISHES = (
    "would|could|should be good|nice|better|helpful*|useful|great|beneficial",
    "would|could|should have been good|nice|better|helpful*|useful|great|beneficial",
    "would|could|should be very|really|so|more|much|most|extremely good|nice|better|helpful*",
    "would|could|should have been very|really|so|more|much|most|extremely good|nice|helpful*",
    "would|could|should be|been very|really|so|more|much|most|extremely useful|great|beneficial",
    "would|id =like",
    "would|id have =liked",
    "should|could|would have|of",
    "would|id appreciat*",
)
# Words that mark a contrast: a negator does not reach past them, and praise in a comment
# with one is taken as meant ("lovely, but nobody came").
CONTRASTS = _words("but though tho although however except apart anyway shame")
# "No need for anyone to come" is not a complaint about attendance.
SCOPE_BREAKS = CONTRASTS | {"need", "needed"}
# Praise that reads as sarcasm wherever it appears.
SARCASM = ("for nothing", "for absolutely|precisely nothing", "amazing how", "i suppose|guess")
# Words for the people the caller dealt with: praise of a person is taken as meant.
PEOPLE = _words(
    "officer officers pc pcso pcsos police handler taker operator dispatcher lady man woman",
    "gentleman bloke guy girl lad staff detective sergeant inspector she he they team",
)
# Cues of good news, each written as in THEME_CUES: an outcome from these, plain, is not a
# complaint.
GOOD_NEWS = frozenset(
    (
        "arrest*",
        "charg*",
        "caught",
        "catch*",
        "convict*",
        "prosecut*",
        "court",
        "sentenc*",
        "remand*",
        "justice",
        "solved",
        "has|have stopped",
        "stopped since",
        "recover*",
        "returned to me",
        "found and returned",
        "got my ... back",
    )
)

# A short sentence of these words alone, with a negator, denies the sentence before it:
# "They said someone would come out. No one did."
DENIAL_WORDS = NEGATORS | _words(
    "one did do does were was has have had happened they he she it that anyone ever still"
)
# Words that, first in a sentence, make it a request, which says what was missing: "Listen to
# the patient.", "Be more polite.", "Keep people informed." A request negates from its first
# word, as a wish does, and a cue that starts with it is read negated.
IMPERATIVES = _words(
    "listen be try treat talk speak inform explain communicate keep let tell answer respond",
    "make give show ensure",
)
# Cues of waiting too general to say what was waited for ("still waiting", "a 6 month
# waiting list"): each names waiting only when the comment names no attendance, keeping
# informed or outcome ("still waiting for a call back" is about being kept informed).
WEAK = frozenset(
    (
        "=waiting|=waited|=wait|=waits",
        "=awaiting",
        "=delay|=delays|=delayed",
        "still waiting|awaiting",
        "wait* ... week*|month*|year*",
        "=quicker|=faster|=sooner",
        "=slow|=slower",
        "take*|takes|took|taking ... long|ages|forever|while",
        "few and far between",
    )
)
# Words of their own one slip from a lexicon word, never read as a slip of it ("my brother"
# is not "bother", a "cleaner ward" not a "clearer" one).
NOT_SLIPS = _words("brother brothers shower showers cleaner cleaners charity massage")
# Critical words VADER's lexicon lacks, for the sarcasm rule.
CRITICAL = _words("slow late")
