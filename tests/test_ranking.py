import itertools

import pytest

from cnam.orientation.cards import MAX_MESSAGE, format_recommendation
from cnam.orientation.catalog import Catalog, catalog_path, load_catalog
from cnam.orientation.discovery import QUESTIONS
from cnam.orientation.profile import Profile, niveau_rank
from cnam.orientation.ranking import recommend
from cnam.orientation.ways_in import access_routes_without_bac, neighbour_domains
from cnam.vocabulary import NIVEAUX, SITUATIONS
from tests.factories import make_offer


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(catalog_path())


def ids(recs) -> list[str]:
    return [rec.offer.id for rec in recs]


def funding_keys(rec) -> list[str]:
    return [route.key for route in rec.funding]


def test_job_seeker_with_bac_wanting_btp(catalog) -> None:
    profile = Profile(situation="demandeur_emploi", niveau="bac", domaines=["btp"],
                      tranche_age="26_plus", commune="Koungou")
    recs = recommend(profile, catalog)
    assert ids(recs)[0] == "deust-conduite-travaux-eco-construction"
    assert all(rec.offer.domaine == "btp" for rec in recs)
    first = recs[0]
    assert "Parce que vous avez le bac et que vous visez le BTP." in first.reason
    assert "Déjà proposée à Mayotte." in first.reason
    # The DEUST accepts the Département and alternance contracts, not AIF.
    assert funding_keys(first) == ["DEPARTEMENT_PUIC", "APPRENTISSAGE", "PROFESSIONNALISATION"]
    remobilisation = next(r for r in recs if "AIF_FRANCE_TRAVAIL" in funding_keys(r))
    assert funding_keys(remobilisation)[0] == "AIF_FRANCE_TRAVAIL"
    # Once the BTP offers are shown, other fields follow, lower and said so.
    later = recommend(profile, catalog, limit=100)
    other = next(r for r in later if "btp" not in {r.offer.domaine, *r.offer.domaines_secondaires})
    assert "Autre domaine que celui visé" in other.reason
    assert other.score < recs[-1].score


def test_rectorat_agent_with_bac2_wanting_management_in_the_evening(catalog) -> None:
    profile = Profile(situation="agent_rectorat", niveau="bac+2", domaines=["management"],
                      disponibilite="soir_weekend")
    recs = recommend(profile, catalog)
    assert set(ids(recs[:2])) == {"cc-encadrement-equipe", "parcours-personnels-rectorat"}
    for rec in recs:
        assert rec.offer.soir_weekend
        assert "Cours le soir ou le week-end, compatibles avec votre emploi." in rec.reason
    staff = next(r for r in recs if r.offer.id == "parcours-personnels-rectorat")
    assert funding_keys(staff) == [
        "PLAN_FORMATION_EMPLOYEUR_PUBLIC", "CPF", "CFP_FONCTION_PUBLIQUE",
    ]
    assert "heures" in staff.funding[1].explication

    # The master needs a bac+3: still listed, lower, with the way in.
    longer = recommend(profile, catalog, limit=10)
    master = next(r for r in longer if r.offer.id == "master-management")
    assert master.score < recs[-1].score
    assert "VAPP" in master.reason and "remise à niveau" in master.reason


def test_young_dropout_without_bac(catalog) -> None:
    profile = Profile(situation="decrocheur", niveau="sans_bac", tranche_age="16_17")
    recs = recommend(profile, catalog)
    assert ids(recs)[0] == "bp-btp-alternance-rectorat"
    for rec in recs:
        assert rec.offer.niveau_requis == "sans_bac"
        assert rec.reason.startswith("Parce que le bac n'est pas demandé.")
        assert "MISSION_LOCALE" in funding_keys(rec)
    assert "vous êtes payé(e)" in recs[0].reason  # alternance suits the young
    everything = recommend(profile, catalog, limit=100)
    assert all(niveau_rank(r.offer.niveau_requis) <= 1 for r in everything)
    for rec in everything:
        if rec.offer.niveau_requis == "bac":
            assert "VAPP" in rec.reason


def test_private_employee_in_it_at_distance(catalog) -> None:
    profile = Profile(situation="salarie", niveau="bac+2", domaines=["informatique"],
                      modalite="distance", tranche_age="26_plus")
    recs = recommend(profile, catalog)
    assert ids(recs) == sorted(ids(recs))  # equal scores: ordered by id
    assert set(ids(recs)) == {
        "ingenieur-cnam-informatique", "licence-informatique", "titre-infrastructures-reseaux-si",
    }
    for rec in recs:
        assert "distance" in rec.offer.formats
        assert "vous visez l'informatique" in rec.reason
        assert funding_keys(rec) == ["CPF", "OPCO_PLAN_COMPETENCES", "TRANSITIONS_PRO_PTP"]
        assert "102 €" in rec.funding[0].explication


def test_medicine_wish_gets_neighbouring_fields(catalog) -> None:
    neighbours = neighbour_domains("medecine")
    assert neighbours is not None and "sante_social" in neighbours.domaines
    assert "ne forme pas à la médecine" in neighbours.message
    profile = Profile(situation="lyceen", niveau="bac", domaines=["medecine"],
                      tranche_age="16_17")
    recs = recommend(profile, catalog)
    assert recs[0].offer.domaine in neighbours.domaines
    assert "c'est proche de la médecine" in recs[0].reason
    pilot = recommend(Profile(domaines=["pilotage"]), catalog)
    assert pilot[0].offer.domaine in neighbour_domains("pilotage").domaines
    assert "proche du pilotage d'avion" in pilot[0].reason
    assert neighbour_domains("btp") is None


def test_studying_outside_mayotte_is_said_and_weighs_on_adults(catalog) -> None:
    young = Profile(situation="lyceen", niveau="bac", domaines=["economie_bleue"])
    adult = Profile(situation="salarie", niveau="bac", domaines=["economie_bleue"])
    away = "intechmer-environnement-marin"
    young_rec = next(r for r in recommend(young, catalog, limit=100) if r.offer.id == away)
    adult_rec = next(r for r in recommend(adult, catalog, limit=100) if r.offer.id == away)
    assert "hors de Mayotte" in format_recommendation(young_rec)
    assert away in ids(recommend(young, catalog))
    assert adult_rec.score < young_rec.score
    assert [r.key for r in young_rec.funding] == ["BOURSE_CD_HORS_MAYOTTE", "LADOM"]


def test_unknown_field_is_neutral(catalog) -> None:
    profile = Profile(situation="demandeur_emploi", niveau="bac")
    recs = recommend(profile, catalog, limit=5)
    assert ids(recs)[0] == "deust-conduite-travaux-eco-construction"  # confirmed in Mayotte
    for rec in recs:
        assert niveau_rank(rec.offer.niveau_requis) <= 1
        assert "demandeur_emploi" in rec.offer.publics
        assert "vous visez" not in rec.reason
    # Skipped answers ("inconnu") count as unknown, like missing ones.
    skipped = Profile(situation="inconnu", niveau="inconnu", tranche_age="inconnu")
    assert ids(recommend(skipped, catalog)) == ids(recommend(Profile(), catalog))
    assert all(rec.reason for rec in recommend(Profile(), catalog))


def test_reserved_offers_and_out_of_reach_levels_are_left_out(catalog) -> None:
    job_seeker = Profile(situation="demandeur_emploi", niveau="bac+2", domaines=["management"])
    assert "parcours-personnels-rectorat" not in ids(recommend(job_seeker, catalog, limit=100))
    no_bac = recommend(Profile(niveau="sans_bac"), catalog, limit=100)
    assert {r.offer.niveau_requis for r in no_bac} == {"sans_bac", "bac"}


def test_exclude_gives_the_next_offers(catalog) -> None:
    profile = Profile(situation="salarie", niveau="bac", domaines=["rh"])
    six = recommend(profile, catalog, limit=6)
    assert ids(recommend(profile, catalog, exclude=set(ids(six[:3])))) == ids(six[3:])


def test_ties_are_broken_by_id_whatever_the_file_order() -> None:
    offers = [make_offer(id=name) for name in ("c-offre", "a-offre", "b-offre")]
    recs = recommend(Profile(niveau="bac"), Catalog(offers=offers))
    assert ids(recs) == ["a-offre", "b-offre", "c-offre"]
    assert len({rec.score for rec in recs}) == 1


def test_evening_wish_prefers_evening_offers() -> None:
    day = make_offer(id="a-jour", soir_weekend=False)
    evening = make_offer(id="b-soir", soir_weekend=True)
    recs = recommend(Profile(disponibilite="soir_weekend"), Catalog(offers=[day, evening]))
    assert ids(recs) == ["b-soir", "a-jour"]
    assert "comme vous le souhaitez" in recs[0].reason


def test_card_explains_rncp_once_and_names_the_main_funding(catalog) -> None:
    profile = Profile(situation="demandeur_emploi", niveau="bac", domaines=["btp"])
    first = recommend(profile, catalog)[0]
    card = format_recommendation(first)
    assert first.offer.title in card
    assert "RNCP niveau 5 = diplôme reconnu par l'État" in card
    assert first.funding[0].label in card
    assert "reconnu par l'État" not in format_recommendation(first, explain_rncp=False)


def test_access_routes_without_bac() -> None:
    adult = access_routes_without_bac(Profile(tranche_age="26_plus"))
    assert any(r.startswith("VAPP (validation des acquis") and "20 ans" in r for r in adult)
    assert any(r.startswith("VAE (validation des acquis") and "1 an" in r for r in adult)
    assert not any("Mission locale" in r for r in adult)
    teen = access_routes_without_bac(Profile(tranche_age="16_17"))
    assert any("Mission locale" in r for r in teen)
    assert not any(r.startswith(("VAPP", "VAE")) for r in teen)
    assert any("courtes qualifiantes" in r for r in teen)


def _profiles() -> list[Profile]:
    return [
        Profile(situation=s, niveau=n, tranche_age=a, domaines=d, modalite=m,
                disponibilite="soir_weekend" if m == "soir_weekend" else None)
        for s, n, a, d, m in itertools.product(
            [*SITUATIONS, None], [*NIVEAUX, None], ["16_17", "26_plus", None],
            [[], ["btp"], ["medecine"], ["economie_bleue", "tourisme"]],
            [None, "distance", "alternance", "soir_weekend"],
        )
    ]


def test_every_user_facing_string_fits_in_a_message(catalog) -> None:
    for offer in catalog.offers:
        assert len(offer.title) <= MAX_MESSAGE and len(offer.resume) <= MAX_MESSAGE
    for profile in _profiles():
        for rec in recommend(profile, catalog, limit=100):
            card = format_recommendation(rec)
            assert len(card) <= MAX_MESSAGE, rec
            # Shortening never drops why, nor a warning (missing level, leaving Mayotte).
            assert all(sentence in card for sentence in rec.reasons[:rec.essential])
            assert len(rec.reason) <= MAX_MESSAGE
        for route in access_routes_without_bac(profile):
            assert len(route) <= MAX_MESSAGE
    for wish in ("medecine", "pilotage"):
        assert len(neighbour_domains(wish).message) <= MAX_MESSAGE
    for question in QUESTIONS:
        assert len(question.text) <= MAX_MESSAGE


def test_only_fitting_offers_for_voir_plus(catalog) -> None:
    """A named field: offers in it (or its neighbours) only. None named: those with more for than against."""
    btp = Profile(niveau="bac", domaines=["btp"])
    fitting = recommend(btp, catalog, limit=100, only_fitting=True)
    assert fitting and all("btp" in {r.offer.domaine, *r.offer.domaines_secondaires} for r in fitting)
    assert len(fitting) < len(recommend(btp, catalog, limit=100))
    pilot = recommend(Profile(niveau="bac", domaines=["pilotage"]), catalog, limit=100, only_fitting=True)
    assert pilot and all({r.offer.domaine, *r.offer.domaines_secondaires} & {"transport_logistique", "tourisme"}
                         for r in pilot)
    unknown = recommend(Profile(niveau="bac", situation="demandeur_emploi"), catalog, limit=100, only_fitting=True)
    assert unknown and all(r.score > 0 for r in unknown)
