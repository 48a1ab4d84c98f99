"""No dead end: every menu offers a way out, and an exit is reachable from each
one by pressing buttons (the graph of tests/menu_graph.py follows the payloads
through the rules, the forms and the actions' code)."""

from __future__ import annotations

from tests.menu_graph import Button, Graph, Menu, build

# Leaving: a warm closing, or a person.
EXITS = {"goodbye", "ask_human"}
# Saying "je ne sais pas", or declining the question.
DECLINES = {"skip", "deny"}
# "inconnu": "Je préfère ne pas le dire" (cnam.orientation.profile.SKIPPED).
DONT_KNOW_VALUES = {"je_ne_sais_pas", "indifferent", "inconnu"}
# A question of the booking form may also be left by stopping the form.
LEAVE_BOOKING = "cancel_appointment"


def way_out(button: Button, form: str | None = None) -> bool:
    return (button.intent in EXITS | DECLINES
            or (form == "booking_form" and button.intent == LEAVE_BOOKING)
            or any(v in DONT_KNOW_VALUES for _, v in button.entities))


def without_way_out(graph: Graph) -> list[str]:
    return sorted(name for name, menu in graph.menus.items()
                  if not any(way_out(b, graph.questions.get(name)) for b in menu.buttons))


def exit_unreachable(graph: Graph) -> list[str]:
    """Menus from which no sequence of button presses reaches an exit button."""
    leaving = {name for name, menu in graph.menus.items() if any(b.intent in EXITS for b in menu.buttons)}
    stuck = []
    for start in graph.menus:
        seen, todo = {start}, [start]
        while todo and not seen & leaving:
            for following in graph.next_menus(graph.menus[todo.pop()]):
                if following not in seen:
                    seen.add(following)
                    todo.append(following)
        if not seen & leaving:
            stuck.append(start)
    return sorted(stuck)


def test_the_walk_sees_every_kind_of_menu() -> None:
    graph = build()
    sources = {menu.source for menu in graph.menus.values()}
    assert {"domain/core.yml", "domain/profile.yml", "actions/orientation.py", "actions/session.py",
            "actions/booking_questions.py"} <= sources
    # The offers' "what next" menu and the discovery questions are read from the code.
    offers = [m for m in graph.menus.values() if Button("more_offers") in m.buttons]
    assert offers and all(Button("goodbye") in m.buttons for m in offers)
    assert graph.next_menus(graph.menus["utter_ask_disponibilite"]) >= set(graph.shows["action_recommend"])


def test_every_button_leads_somewhere() -> None:
    assert build().unresolved == []


def test_every_menu_has_a_way_out() -> None:
    assert without_way_out(build()) == []


def test_an_exit_is_reachable_from_every_menu() -> None:
    assert exit_unreachable(build()) == []


def test_a_menu_without_exit_and_a_closed_loop_are_caught() -> None:
    """The checks themselves: the old "Voir plus | Autre domaine" loop fails them."""
    graph = Graph(
        menus={"offers": Menu("offers", "actions/x.py", [Button("more_offers"), Button("other_field")]),
               "field": Menu("field", "domain/x.yml", [Button("inform", (("domaine", "btp"),))])},
        shows={"action_more": ["offers"], "utter_ask_field": ["field"]},
        rules=[(Button("more_offers"), ["action_more"]), (Button("other_field"), ["a_form"]),
               (Button("inform"), ["a_form"])],
        forms={"a_form": ["utter_ask_field", "action_more"]},
    )
    assert without_way_out(graph) == ["field", "offers"]
    assert exit_unreachable(graph) == ["field", "offers"]
    graph.menus["offers"].buttons.append(Button("goodbye"))
    assert without_way_out(graph) == ["field"]
    assert exit_unreachable(graph) == []
