"""Child process of bench_window: open the window on an existing 75-case application and quit at its
first paint, printing the peak memory (MB). The parent times the whole process, interpreter start included.

    SHOREI_HOME=... python benchmarks/start_window.py
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer

    from app.paths import data_home
    from app.views.app import ensure_qt_app, window_settings

    app = ensure_qt_app()
    from app.views.main_window import build_main_window  # after the QApplication, as `shorei gui` (run)

    home = data_home()
    window = build_main_window(home, window_settings(home))

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, app.quit)
            return False

    painter = FirstPaint()
    window.pages[0].grid.viewport().installEventFilter(painter)
    window.show()
    app.exec()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.1f}")
    window.store.close()


if __name__ == "__main__":
    main()
