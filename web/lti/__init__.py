"""LTI 1.3, the tool side over HTTP: the login, launch and key-set endpoints, platforms' cached keys, framing."""
