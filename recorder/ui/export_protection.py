"""How an export is protected: a passphrase typed twice, or recipients' public keys (age1…,
validated as they are typed), and a dialog that makes a key pair for receiving exports.

The encryption itself is the core's (``recorder.core.export``); this module only collects the
choice. Nothing here logs a passphrase or a key.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from recorder.core.errors import RecorderError, UsageError
from recorder.core.export.bundle import KeyPair, fingerprint, generate_key_pair, parse_recipient
from recorder.core.export.service import Protection
from recorder.core.passphrase import MIN_PASSPHRASE
from recorder.ui.messages import sentence
from recorder.ui.widgets import PassphraseField, button, form, label

log = logging.getLogger(__name__)

PLAINTEXT_WARNING = (
    "Not encrypted: anyone who gets these files can read them. Keep them on an encrypted "
    "drive, never e-mail them, and delete them when the analysis no longer needs them."
)


def parse_recipients(text: str) -> tuple[list[str], list[str]]:
    """The public keys in ``text`` (one per line; ``#`` starts a comment) and the problems."""
    keys: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        value = raw.split("#", 1)[0].strip()
        if not value:
            continue
        try:
            parse_recipient(value)
        except RecorderError:
            problems.append(
                f"Line {number} is not an age public key (one starts with age1 and is "
                "62 characters long)."
            )
            continue
        if value not in keys:
            keys.append(value)
    return keys, problems


def write_identity_file(path: Path, pair: KeyPair) -> None:
    """Write the secret key file (owner-only, never over an existing file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} exists already.", hint="Choose a new file name for the secret key."
        ) from None
    except OSError as exc:
        raise UsageError(
            f"Cannot write {path}: {exc.strerror}.", hint="Choose a folder you can write to."
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(pair.identity_file())
        f.flush()
        os.fsync(f.fileno())


class KeyPairDialog(QDialog):
    """Make a key pair: save the secret key file, show the public key with Copy.

    ``generated(public_key)`` once the secret key is saved."""

    generated = Signal(str)
    use_as_recipient = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Generate a key pair")
        self.setMinimumWidth(640)
        self.public = ""
        self.path = QLineEdit(self)
        self.path.setPlaceholderText("where to keep your secret key, e.g. on an encrypted drive")
        self.path.setText(str(default_key_path()))
        self.path.textChanged.connect(self._validate)
        browse = button("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QWidget(self)
        row = QHBoxLayout(path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.generate_button = button("Generate and save", primary=True)
        self.generate_button.clicked.connect(self.generate)
        self.problem = label("", "error", wrap=True, parent=self)
        self.key = QLineEdit(self)
        self.key.setReadOnly(True)
        self.key.setAccessibleName("Your public key")
        self.copy_button = button("Copy", tip="Copy the public key to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.use_button = button("Add to the recipients", tip="Encrypt this export to it too")
        self.use_button.clicked.connect(self._use)
        self.result_box = QWidget(self)
        box = QVBoxLayout(self.result_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(label("Your public key: give it to colleagues who export for you.",
                               "heading"))  # fmt: skip
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.copy_button)
        box.addLayout(key_row)
        self.saved = label("", "muted", wrap=True)
        box.addWidget(self.saved)
        self.result_box.hide()
        close = button("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.generate_button)
        buttons.addWidget(close)
        self.use_button.hide()
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(label("Generate a key pair", "title"))
        column.addWidget(
            label(
                "A key pair lets colleagues send you exports without sharing a passphrase. "
                "They encrypt to your public key (age1…); only your secret key file opens "
                "what they send. Keep the secret key private: not in the study folder, never "
                "by e-mail. The standard age tool reads it too (age -d -i KEYFILE).",
                "muted",
                wrap=True,
            )
        )
        column.addLayout(form([("Save the secret key as", path_row)]))
        column.addWidget(self.problem)
        column.addWidget(self.result_box)
        column.addLayout(buttons)
        self._validate()

    def _browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getSaveFileName(
            self, "Save the secret key", self.path.text(), "Key files (*.txt *.key);;All files (*)"
        )
        if path:
            self.path.setText(path)

    def _validate(self) -> None:
        self.problem.setText("")
        self.generate_button.setEnabled(bool(self.path.text().strip()) and not self.public)

    def generate(self) -> None:
        """Make the pair and save the secret key where the field says."""
        text = self.path.text().strip()
        if not text or self.public:
            return
        path = Path(text).expanduser()
        pair = generate_key_pair()
        try:
            write_identity_file(path, pair)
        except RecorderError as exc:
            self.problem.setText(sentence(exc))
            return
        self.public = pair.public
        self.key.setText(pair.public)
        self.saved.setText(
            f"Secret key saved to {path} (readable by you only). Fingerprint of the public "
            f"key: {fingerprint(pair.public)}."
        )
        self.result_box.show()
        self.use_button.show()
        self.path.setEnabled(False)
        self.generate_button.setEnabled(False)
        log.info("a key pair was generated")
        self.generated.emit(pair.public)

    def copy(self) -> None:
        """The public key to the clipboard (it is public: nothing secret leaves)."""
        if self.public:
            QGuiApplication.clipboard().setText(self.public)
            self.copy_button.setText("Copied ✓")

    def _use(self) -> None:
        if self.public:
            self.use_as_recipient.emit(self.public)
            self.use_button.setEnabled(False)
            self.use_button.setText("Added ✓")


def default_key_path() -> Path:
    """A key file name in the home folder that does not exist yet."""
    home = Path.home()
    for n in range(1, 100):
        candidate = home / ("export-key.txt" if n == 1 else f"export-key-{n}.txt")
        if not candidate.exists():
            return candidate
    return home / "export-key.txt"


class ProtectionPanel(QWidget):
    """Passphrase or recipients (or, when the dialog says so, plaintext); ``changed`` on edits."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plaintext = False
        self.keypair_dialog: KeyPairDialog | None = None
        self.use_passphrase = QRadioButton("Passphrase", self)
        self.use_recipients = QRadioButton("Recipients' public keys", self)
        self.use_passphrase.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.use_passphrase)
        group.addButton(self.use_recipients)
        self.passphrase = PassphraseField(feedback=True, parent=self)
        self.passphrase2 = PassphraseField(parent=self)
        if self.passphrase.advice is not None:  # one line; may be clipped, never widens us
            self.passphrase.advice.setSizePolicy(
                QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
            )
        self.recipients = QPlainTextEdit(self)
        self.recipients.setPlaceholderText("age1… one public key per line")
        self.recipients.setFixedHeight(72)
        self.recipients.setTabChangesFocus(True)
        self.recipients_state = label("", "muted", wrap=True, parent=self)
        self.keygen_button = button(
            "Generate key pair…", tip="Make a key pair to receive exports; copy its public key"
        )
        self.keygen_button.clicked.connect(self.generate_key_pair)

        pass_page = QWidget(self)
        pass_layout = QVBoxLayout(pass_page)
        pass_layout.setContentsMargins(0, 0, 0, 0)
        pass_layout.addLayout(
            form([("Passphrase", self.passphrase), ("Repeat it", self.passphrase2)])
        )
        key_page = QWidget(self)
        key_layout = QVBoxLayout(key_page)
        key_layout.setContentsMargins(0, 0, 0, 0)
        key_layout.setSpacing(6)
        key_layout.addWidget(self.recipients)
        key_row = QHBoxLayout()
        key_row.addWidget(self.recipients_state, 1)
        key_row.addWidget(self.keygen_button)
        key_layout.addLayout(key_row)
        key_layout.addStretch(1)
        plain_page = QWidget(self)
        plain_layout = QVBoxLayout(plain_page)
        plain_layout.setContentsMargins(0, 0, 0, 0)
        plain_layout.addWidget(label(PLAINTEXT_WARNING, "warning", wrap=True))
        plain_layout.addStretch(1)
        self.pages = QStackedWidget(self)
        for page in (pass_page, key_page, plain_page):
            self.pages.addWidget(page)

        radios = QHBoxLayout()
        radios.addWidget(self.use_passphrase)
        radios.addWidget(self.use_recipients)
        radios.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(radios)
        column.addWidget(self.pages)
        self.use_passphrase.toggled.connect(self._mode_changed)
        self.passphrase.changed.connect(self._edited)
        self.passphrase2.changed.connect(self._edited)
        self.recipients.textChanged.connect(self._edited)
        self._mode_changed()

    # -- state --------------------------------------------------------------------------------

    def set_plaintext(self, on: bool) -> None:
        """A plaintext export: nothing to protect with (the dialog has warned already)."""
        self.plaintext = on
        self.use_passphrase.setEnabled(not on)
        self.use_recipients.setEnabled(not on)
        self._mode_changed()

    def kind(self) -> str:
        if self.plaintext:
            return "plaintext"
        return "passphrase" if self.use_passphrase.isChecked() else "recipients"

    def keys(self) -> list[str]:
        return parse_recipients(self.recipients.toPlainText())[0]

    def blocker(self) -> str:
        """Why the protection is not usable yet ("" when it is)."""
        kind = self.kind()
        if kind == "passphrase":
            first, second = self.passphrase.text(), self.passphrase2.text()
            if not first:
                return "Type a passphrase for the export (twice)."
            if len(first) < MIN_PASSPHRASE:
                return f"Use a passphrase of at least {MIN_PASSPHRASE} characters."
            if first != second:
                return "The two passphrases differ."
        elif kind == "recipients":
            keys, problems = parse_recipients(self.recipients.toPlainText())
            if problems:
                return problems[0]
            if not keys:
                return "Paste at least one recipient's public key (age1…)."
        return ""

    def protection(self) -> Protection:
        """The chosen protection (call when ``blocker()`` is empty)."""
        kind = self.kind()
        if kind == "plaintext":
            return Protection(plaintext=True)
        if kind == "recipients":
            return Protection(recipients=tuple(self.keys()))
        return Protection(passphrase=self.passphrase.text())

    def add_recipient(self, public: str) -> None:
        """Add a public key to the list and switch to recipients."""
        if public in self.keys():
            return
        text = self.recipients.toPlainText().rstrip("\n")
        self.recipients.setPlainText(f"{text}\n{public}" if text else public)
        self.use_recipients.setChecked(True)

    def generate_key_pair(self) -> KeyPairDialog:
        """Open the key-pair dialog (not blocking); its public key can join the recipients."""
        dialog = KeyPairDialog(self)
        dialog.use_as_recipient.connect(self.add_recipient)
        self.keypair_dialog = dialog
        dialog.open()
        return dialog

    def _mode_changed(self) -> None:
        kind = self.kind()
        self.pages.setCurrentIndex({"passphrase": 0, "recipients": 1, "plaintext": 2}[kind])
        self._edited()

    def _edited(self) -> None:
        keys, problems = parse_recipients(self.recipients.toPlainText())
        if problems:
            self.recipients_state.setObjectName("error")
            self.recipients_state.setText(" ".join(problems[:2]))
        else:
            self.recipients_state.setObjectName("muted")
            self.recipients_state.setText(
                f"{len(keys)} key(s): " + ", ".join(fingerprint(k) for k in keys)
                if keys
                else "Paste your colleagues' public keys, or make your own key pair."
            )
        style = self.recipients_state.style()
        style.unpolish(self.recipients_state)
        style.polish(self.recipients_state)
        self.changed.emit()
