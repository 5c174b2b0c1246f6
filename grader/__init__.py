"""The pure grading core: nbgrader metadata, rubrics, execution plans, scoring and feedback."""
