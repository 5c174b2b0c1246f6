# The service image (web and worker). Sandboxes use a separate image: sandboxes/image/.
# The base is a build argument: the official Python image for users (python:3.11-slim), a
# debootstrapped Debian (autograde-base:bookworm, made by scripts/build-sandbox-image.sh) on
# machines with no registry. Wheels placed in deploy/wheels/ by scripts/fetch-service-wheels.sh
# are installed with no network at all; with none there, pip uses its index as usual.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
WORKDIR /app

# The libraries first, from pyproject.toml alone, so that a change to the code reuses this layer.
COPY deploy/wheels /tmp/wheels
COPY pyproject.toml ./
RUN python3 -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); \
print('\\n'.join(p['project']['dependencies'] + p['build-system']['requires']))" >/tmp/requirements.txt \
 && if ls /tmp/wheels/*.whl >/dev/null 2>&1; then source="--no-index --find-links /tmp/wheels"; else source=""; fi \
 && python3 -m venv /opt/autograde \
 && /opt/autograde/bin/pip install --no-cache-dir --disable-pip-version-check $source -r /tmp/requirements.txt \
 && rm -rf /tmp/wheels /tmp/requirements.txt
ENV PATH=/opt/autograde/bin:$PATH

COPY README.md ./
COPY grader grader
COPY sandboxes sandboxes
COPY specs specs
COPY exam_bank exam_bank
COPY service service
COPY worker worker
COPY web web
COPY store store
COPY records records
COPY credentials credentials
COPY integrity integrity
COPY integrations integrations
COPY autograde autograde
COPY examples examples
# Every dependency is in place: the project itself needs neither the index nor a build sandbox.
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation . \
 && autograde --help >/dev/null
ENV AUTOGRADE_DATA_DIR=/data
EXPOSE 8000
CMD ["autograde", "serve", "--host", "0.0.0.0", "--port", "8000"]
