# The service image (web and worker). Sandboxes use a separate image: sandboxes/image/.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
WORKDIR /app
COPY pyproject.toml README.md ./
COPY grader grader
COPY sandboxes sandboxes
COPY specs specs
COPY exam_bank exam_bank
COPY service service
COPY worker worker
COPY web web
COPY store store
COPY records records
COPY integrations integrations
COPY autograde autograde
COPY examples examples
RUN pip install --no-cache-dir .
ENV AUTOGRADE_DATA_DIR=/data
EXPOSE 8000
CMD ["autograde", "serve", "--host", "0.0.0.0", "--port", "8000"]
