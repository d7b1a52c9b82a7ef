"""ESM Warehouse dashboards: routes only."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` does not install the project

from dashboards.i18n import t  # noqa: E402

st.set_page_config(page_title="ESM Warehouse", page_icon="📊", layout="wide")
# each page draws the language switch itself: a widget in this entrypoint does not take clicks under st.navigation
pages = [st.Page("pages/home.py", title=t("page_home"), icon="🏢", default=True)]
st.navigation(pages).run()
