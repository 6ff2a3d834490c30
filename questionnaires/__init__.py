"""Questionnaire definitions and their loader/validator."""
from questionnaires.loader import QuestionnaireError, load, load_dict, resolve
from questionnaires.model import Attribute, Item, Option, QualityRules, Questionnaire, Scale, ScalePoint

__all__ = [
    "Attribute", "Item", "Option", "QualityRules", "Questionnaire", "QuestionnaireError",
    "Scale", "ScalePoint", "load", "load_dict", "resolve",
]
