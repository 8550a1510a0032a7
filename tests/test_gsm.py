"""SMS length: GSM-7 and its extension table, UCS-2 for everything else (Welsh included)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from bluelamp.lib.gsm import BASIC, EXTENSION, characters_left, is_gsm7, sms_segments

basic_text = st.text(alphabet=sorted(BASIC), max_size=700)
gsm_text = st.text(alphabet=sorted(BASIC | EXTENSION), max_size=700)
any_text = st.text(max_size=400)
WELSH = "âêîôûŵŷÂÊÎÔÛŴŶ"


def septets(text: str) -> int:
    return sum(2 if char in EXTENSION else 1 for char in text)


def test_the_documented_boundaries():
    assert sms_segments("") == 1
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 306) == 2
    assert sms_segments("a" * 307) == 3
    assert sms_segments("€" * 80) == 1  # 160 septets
    assert sms_segments("€" * 80 + "a") == 2
    assert sms_segments("ŵ" * 70) == 1
    assert sms_segments("ŵ" * 71) == 2
    assert sms_segments("ŵ" * 134) == 2
    assert sms_segments("ŵ" * 135) == 3


def test_an_escape_pair_is_never_split_across_parts():
    # 152 septets then a euro: 154 septets do not fit one part of 153, so the euro starts
    # the second part; the whole is 2 parts, and the second has 2 septets in it.
    text = "a" * 152 + "€" + "a" * 10
    assert sms_segments(text) == 2
    assert characters_left(text) == 153 - 12


def test_an_emoji_is_two_ucs2_units():
    assert not is_gsm7("🙂")
    assert sms_segments("🙂" * 35) == 1
    assert sms_segments("🙂" * 35 + "a") == 2


def test_welsh_is_measured_not_rewritten():
    text = "Dywedwch wrthym sut wnaethon ni: mae'n cymryd 2 funud. Diolch yn fawr â chroeso."
    assert not is_gsm7(text)
    assert sms_segments(text) == 2  # 83 characters of UCS-2
    assert is_gsm7(text.replace("â", "a"))
    assert sms_segments(text.replace("â", "a")) == 1


def test_the_invitation_text_fits_one_segment():
    text = (
        "Test Constabulary: you contacted us recently. Please tell us how we did, it takes "
        "2 minutes: https://feedback.example.police.uk/s/abcdefghijklmnopqrstuv"
    )
    assert is_gsm7(text)
    assert sms_segments(text) == 1


def test_ascii_is_gsm7_but_for_the_backtick():
    printable = "".join(chr(code) for code in range(32, 127))
    assert [char for char in printable if not is_gsm7(char)] == ["`"]


@given(gsm_text)
def test_gsm7_segments_follow_the_septet_count(text):
    count = septets(text)
    segments = sms_segments(text)
    if count <= 160:
        assert segments == 1
    else:
        assert segments >= math.ceil(count / 153)
        # At most one septet is wasted at the end of each part by an unsplit escape pair.
        assert segments <= math.ceil(count / 152)


@given(basic_text)
def test_basic_set_segments_are_exact(text):
    expected = 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    assert sms_segments(text) == expected


@given(any_text, st.sampled_from(WELSH))
def test_a_welsh_letter_makes_any_text_ucs2(text, letter):
    assert not is_gsm7(text + letter)


@given(st.one_of(gsm_text, any_text))
def test_characters_left_is_exactly_what_still_fits(text):
    # "a" keeps the text's encoding: GSM-7 stays GSM-7, and UCS-2 stays UCS-2.
    left = characters_left(text)
    assert left >= 0
    assert sms_segments(text + "a" * left) == sms_segments(text)
    assert sms_segments(text + "a" * (left + 1)) == sms_segments(text) + 1


@given(st.one_of(gsm_text, any_text), st.one_of(gsm_text, any_text))
def test_more_text_never_means_fewer_segments_in_the_same_encoding(head, tail):
    if is_gsm7(head) == is_gsm7(head + tail):
        assert sms_segments(head + tail) >= sms_segments(head)
