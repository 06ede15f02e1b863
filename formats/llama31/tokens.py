"""Llama 3.1's special tokens and turn headers, as Meta documents them.

The prompt is text: these tokens are written as their literal strings and the host's
tokenizer (llama.cpp in Hayride) maps them to their token ids.
"""

from __future__ import annotations

from formats.values import Role

BEGIN_OF_TEXT = "<|begin_of_text|>"
END_OF_TEXT = "<|end_of_text|>"
START_HEADER = "<|start_header_id|>"
END_HEADER = "<|end_header_id|>"
EOM = "<|eom_id|>"  # end of message: the model waits for a tool result
EOT = "<|eot_id|>"  # end of turn
PYTHON_TAG = "<|python_tag|>"  # starts a tool call in the model's output

SPECIAL_TOKENS = (BEGIN_OF_TEXT, END_OF_TEXT, START_HEADER, END_HEADER, EOM, EOT, PYTHON_TAG,
                  "<|finetune_right_pad_id|>")

# Turn roles.  Llama 3.1 calls the tool role `ipython`.
ROLE_NAMES = {Role.SYSTEM: "system", Role.USER: "user", Role.ASSISTANT: "assistant",
              Role.TOOL: "ipython"}
ROLES_BY_NAME = {name: role for role, name in ROLE_NAMES.items()}

ENVIRONMENT = "Environment: ipython"


def header(role: Role) -> str:
    """A turn header with the blank line Meta's ChatFormat writes after it."""
    return f"{START_HEADER}{ROLE_NAMES[role]}{END_HEADER}\n\n"
