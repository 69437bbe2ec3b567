"""The handoff scorecard (README "Scorecard dashboard"): did marketing and sales keep their promises?

Run it with ``handoff dashboard`` (or ``streamlit run dashboard/app.py`` with
``HANDOFF_SERVING_DB`` or ``HANDOFF_HOME`` set). It reads only the published serving
copy, read-only; see ``scorecard.py``.
"""

from __future__ import annotations

import scorecard
import streamlit as st

st.set_page_config(
    page_title="handoff scorecard",
    page_icon=":material/handshake:",
    layout="wide",
    initial_sidebar_state="expanded",
)

# The URL paths are the ones the dbt exposures (models/exposures.yml) link to.
navigation = st.navigation(
    [
        st.Page(
            "views/marketing_sla.py",
            title="Marketing SLA",
            icon=":material/campaign:",
            default=True,
        ),
        st.Page("views/sales_sla.py", title="Sales SLA", icon=":material/timer:"),
        st.Page(
            "views/funnel.py",
            title="Funnel cohorts",
            icon=":material/filter_alt:",
            url_path="funnel_cohorts",
        ),
        st.Page(
            "views/offers.py",
            title="Feedback loop (offers)",
            icon=":material/sync_alt:",
            url_path="feedback_loop",
        ),
        st.Page("views/capacity.py", title="Capacity", icon=":material/groups:"),
    ]
)

path = scorecard.serving_path()
if not path.exists():
    st.error(f"No published data at `{path}` yet: run `handoff run` first, then reload this page.")
    st.stop()

stamp = scorecard.published()
if stamp.as_of_at is not None:
    st.sidebar.markdown(
        f"**Data as of {stamp.as_of_at:%d %b %Y, %H:%M} UTC**  \n"
        f"published {stamp.published_at:%d %b %Y, %H:%M} UTC"
    )
st.sidebar.caption(f"Source: `{path}` (read-only)")
scorecard.sidebar()
navigation.run()
