from smassist.language.normalize import CONCEPT, STOP, Analyzer, fold, terms, tokens


def test_accents_and_case_are_folded():
    assert fold("Réseaux SOCIAUX Équipe") == "reseaux sociaux equipe"


def test_french_elisions_are_removed_with_either_apostrophe():
    assert tokens("l'entreprise d’usage qu'il j’ai") == ["entreprise", "usage", "il", "ai"]


def test_apostrophe_variants_give_the_same_terms():
    straight = terms("la charte d'usage de l'entreprise", "fr")
    assert terms("la charte d’usage de l‘entreprise", "fr") == straight
    assert terms("la charte dʼusage de l`entreprise", "fr") == straight


def test_numbers_are_kept_and_punctuation_dropped():
    assert tokens("90-9-1 ? 31,5 % en 2018 !") == ["90", "9", "1", "31,5", "en", "2018"]


def test_stemming_joins_singular_and_plural():
    assert terms("chartes", "fr") == terms("charte", "fr")
    assert terms("networks", "en") == terms("network", "en")


def test_stop_words_are_marked_not_dropped_by_the_analyzer():
    found = Analyzer().analyze("le ROI des réseaux", "fr")
    assert found[0] == STOP + "le"
    assert all(t.startswith(STOP) for t in found if t in (STOP + "le", STOP + "des"))


def test_extra_stop_words_come_from_the_knowledge_base():
    analyzer = Analyzer(stopwords={"fr": ["svp"]})
    assert analyzer.analyze("svp", "fr") == [STOP + "svp"]


def test_synonym_phrase_and_word_become_one_concept():
    analyzer = Analyzer([("any", ["ROI", "retour sur investissement", "return on investment"])])
    word = analyzer.analyze("ROI", "fr")
    assert word == analyzer.analyze("retour sur l’investissement", "fr")
    assert analyzer.analyze("return on investment", "en") == analyzer.analyze("roi", "en")
    assert word[0].startswith(CONCEPT)


def test_synonym_group_limited_to_one_language_does_not_apply_to_the_other():
    analyzer = Analyzer([("fr", ["boîte", "entreprise"])])
    assert analyzer.analyze("boîte", "fr") == analyzer.analyze("entreprise", "fr")
    assert analyzer.analyze("boite", "en") != analyzer.analyze("entreprise", "en")


AMBIGUOUS = [
    ("any", ["réseau social d'entreprise", "enterprise social network", "RSE"]),
    ("any", ["responsabilité sociétale des entreprises", "responsabilité sociétale", "CSR", "RSE"]),
]


def test_ambiguous_term_is_resolved_by_its_context():
    analyzer = Analyzer(AMBIGUOUS)
    network = analyzer.analyze("enterprise social network", "en")[0]
    csr = analyzer.analyze("CSR", "en")[0]
    assert network != csr
    assert analyzer.analyze("le RSE, un réseau social d'entreprise", "fr").count(network) == 2
    with_csr = analyzer.analyze("la RSE au sens responsabilité sociétale", "fr")
    assert csr in with_csr and network not in with_csr


def test_ambiguous_term_alone_is_neither_sense():
    analyzer = Analyzer(AMBIGUOUS)
    alone = analyzer.analyze("RSE", "fr")
    assert alone not in (analyzer.analyze("CSR", "fr"), analyzer.analyze("enterprise social network", "fr"))
