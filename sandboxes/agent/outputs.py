"""A cell's outputs as nbformat has them, from the kernel's messages, capped while collected."""

import json


class CappedOutputs:
    """Collects a cell's outputs, keeping at most ``limit`` bytes of text and data."""

    def __init__(self, limit):
        self.items = []
        self.size = 0
        self.limit = limit
        self.truncated = False

    def add(self, output):
        size = len(json.dumps(output))
        if self.size + size > self.limit:
            self.truncated = True
            return
        self.size += size
        if output["output_type"] == "stream" and self.items:
            last = self.items[-1]
            if last["output_type"] == "stream" and last["name"] == output["name"]:
                last["text"] += output["text"]
                return
        self.items.append(output)


def to_output(message):
    """Turn a kernel message into an nbformat output, or None for one that is not."""
    kind = message.get("type")
    try:
        if kind == "stream":
            return {"output_type": "stream", "name": str(message["name"]), "text": str(message["text"])}
        if kind == "execute_result":
            return {
                "output_type": "execute_result",
                "data": dict(message["data"]),
                "metadata": dict(message.get("metadata") or {}),
                "execution_count": message.get("execution_count"),
            }
        if kind == "display_data":
            return {
                "output_type": "display_data",
                "data": dict(message["data"]),
                "metadata": dict(message.get("metadata") or {}),
            }
        if kind == "error":
            return {
                "output_type": "error",
                "ename": str(message["ename"]),
                "evalue": str(message["evalue"]),
                "traceback": [str(line) for line in message["traceback"]],
            }
    except (KeyError, TypeError, ValueError):
        return None
    return None
