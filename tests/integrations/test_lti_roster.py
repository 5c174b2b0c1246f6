"""Reading a platform roster: active learners by user id only, and the next page's link."""

from __future__ import annotations

from integrations.lti_roster import active_learners, next_page

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def test_only_active_learners_count_and_no_name_is_needed() -> None:
    members = [
        {"user_id": "a", "roles": [LEARNER]},
        {"user_id": "b", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "c", "roles": [LEARNER, TA]},
        {"user_id": "d", "roles": ["Learner"], "name": "D", "email": "d@example.edu"},
        {"user_id": "", "roles": [LEARNER]},
        {"roles": [LEARNER]},
        {"user_id": "e", "roles": "Learner"},
    ]
    assert active_learners(members) == {"a", "d"}


def test_the_next_page_is_read_from_the_link_header() -> None:
    header = '<https://lms/m?page=1>; rel="prev", <https://lms/m?page=3>; rel="next"'
    assert next_page(header) == "https://lms/m?page=3"
    assert next_page('<https://lms/m?page=1>; rel="prev"') is None
    assert next_page("") is None
