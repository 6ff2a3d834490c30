"""Analysis results of the R reference case, and the context every report is built from."""
import pytest

from analysis import job
from reports import documents

NAMES = {"511502": "翠屏区", "511503": "南溪区", "511504": "叙州区", "511523": "江安县", "511524": "长宁县",
         "511525": "高县", "511526": "珙县", "511527": "筠连县", "511528": "兴文县", "511529": "=HYPERLINK(1)"}


@pytest.fixture(scope="session")
def results(reference, questionnaire):
    return job.analyze(reference.responses, questionnaire, reference.targets, job.Settings(cluster="channel"))


@pytest.fixture
def context(results, questionnaire):
    return documents.Context(results, questionnaire, NAMES, "2026年县域教育群众满意度调查", "市教育督导室",
                             "计算于 2026年11月29日")
