"""Skills: whole-token matches against the maintained vocabulary."""

from __future__ import annotations

import pytest

from shared.extraction.skills import extract_skills, vocabulary_size


def test_vocabulary_has_several_hundred_skills() -> None:
    assert vocabulary_size() >= 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C++, C#, .NET and Node.js with CI/CD", ["C++", "C#", ".NET", "Node.js", "CI/CD"]),
        ("Services in Go; we go to conferences", ["Go"]),
        ("Go to our careers page", []),
        ("Golang and Rust", ["Go", "Rust"]),
        ("ASP.NET Core and Entity Framework", ["ASP.NET", "Entity Framework"]),
        ("Google and Goldman", []),
        ("R&D team using R and Python", ["R", "Python"]),
        ("Series C startup, C-suite access", []),
        ("Spring Boot services", ["Spring Boot"]),
        ("spring cleaning", []),
        ("degree.PyTorch and scikit-learn", ["PyTorch", "scikit-learn"]),
        ("postgres, PostgreSQL and K8s / kubernetes", ["PostgreSQL", "Kubernetes"]),
        (
            "We can help with AI and ML on AWS",
            ["Artificial Intelligence", "Machine Learning", "AWS"],
        ),
        ("docker-compose files", ["Docker"]),
        ("JavaScript (not Java) and TypeScript", ["JavaScript", "Java", "TypeScript"]),
    ],
)
def test_extract_skills(text: str, expected: list[str]) -> None:
    assert extract_skills(text) == expected


def test_skills_across_title_and_body_keep_first_appearance_order() -> None:
    assert extract_skills("Python Engineer", "Kafka, then Python again") == [
        "Python",
        "Apache Kafka",
    ]
