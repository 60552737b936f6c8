from smassist.language.detect import detect


def test_french_question_is_french():
    assert detect("Combien d'entreprises ont une charte ?") == "fr"


def test_english_question_is_english():
    assert detect("How many companies have a social media policy?") == "en"


def test_french_without_accents_is_still_french():
    assert detect("faut il une charte pour les reseaux sociaux", hint="en") == "fr"


def test_short_text_follows_the_callers_hint():
    assert detect("ROI", hint="en-GB") == "en"
    assert detect("ROI", hint="fr_FR") == "fr"


def test_accents_tip_a_short_text_to_french():
    assert detect("stratégie ROI", hint="en") == "fr"
