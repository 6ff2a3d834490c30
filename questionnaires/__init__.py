"""Questionnaire definitions and their loader/validator."""
from questionnaires.loader import (
    DEFAULT,
    Problem,
    QuestionnaireError,
    builtin_names,
    load,
    load_dict,
    loads,
    resolve,
)
from questionnaires.model import (
    Attribute,
    Comment,
    Item,
    Option,
    QualityRules,
    Questionnaire,
    Scale,
    ScalePoint,
)

__all__ = [
    "DEFAULT", "Attribute", "Comment", "Item", "Option", "Problem", "QualityRules", "Questionnaire", "QuestionnaireError",
    "Scale", "ScalePoint", "builtin_names", "load", "load_dict", "loads", "resolve",
]
