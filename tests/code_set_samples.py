"""Tiny release files in the official formats, for tests of errors and of the load command
(the real files are read once per session by `tests/coding_fixtures.py`)."""

from __future__ import annotations

from pathlib import Path

TABULAR = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2031</version>
  <chapter>
    <name>9</name>
    <desc>Diseases of the circulatory system (I00-I99)</desc>
    <section id="I10-I1A">
      <desc>Hypertensive diseases (I10-I1A)</desc>
      <diag>
        <name>I10</name>
        <desc>Essential (primary) hypertension</desc>
        <inclusionTerm><note>high blood pressure</note></inclusionTerm>
      </diag>
    </section>
    <section id="I20-I25">
      <desc>Ischemic heart diseases (I20-I25)</desc>
      <diag>
        <name>I21</name>
        <desc>Acute myocardial infarction</desc>
        <excludes2><note>old myocardial infarction (I25.2)</note></excludes2>
        <diag>
          <name>I21.4</name>
          <desc>Non-ST elevation (NSTEMI) myocardial infarction</desc>
        </diag>
        <diag>
          <name>I21.9</name>
          <desc>Acute myocardial infarction, unspecified</desc>
        </diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""

FLAT_INDEX = """RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code
1,H,0,Hypertension,,,(arterial) (essential) (primary),I10
2,I,0,"Infarct, infarction",,,,
3,I,1,cardiac,"Infarct, myocardium",,,
4,I,1,"myocardium, myocardial",,,(acute),I21.9
5,I,2,non-ST elevation,,,(NSTEMI),I21.4
6,I,2,old,,,,I25.2
"""

EXTERNAL_CAUSE_INDEX = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2030</version>
  <title>ICD-10-CM EXTERNAL CAUSE of INJURIES INDEX</title>
  <letter>
    <title>A</title>
    <mainTerm>
      <title>Abandonment<nemod>(causing exposure) (with intent)</nemod> NEC</title>
      <code>X58</code>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""

PCS_TABLES = """<?xml version="1.0" encoding="utf-8"?>
<ICD10PCS.tabular>
  <version>2031</version>
  <pcsTable>
    <axis pos="1" values="1"><title>Section</title>
      <label code="0">Medical and Surgical</label></axis>
    <axis pos="2" values="1"><title>Body System</title>
      <label code="2">Heart and Great Vessels</label></axis>
    <axis pos="3" values="1"><title>Operation</title><label code="1">Bypass</label>
      <definition>Altering the route of passage of the contents of a tubular body part</definition>
    </axis>
    <pcsRow codes="1">
      <axis pos="4" values="1"><title>Body Part</title>
        <label code="0">Coronary Artery, One Artery</label></axis>
      <axis pos="5" values="1"><title>Approach</title><label code="0">Open</label></axis>
      <axis pos="6" values="1"><title>Device</title>
        <label code="9">Autologous Venous Tissue</label></axis>
      <axis pos="7" values="1"><title>Qualifier</title>
        <label code="3">Coronary Artery</label></axis>
    </pcsRow>
  </pcsTable>
</ICD10PCS.tabular>
"""


def write_release(directory: Path, **files: str) -> Path:
    """Write the named sample files (name=content) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name.replace("__", ".")).write_text(content, encoding="utf-8")
    return directory


def small_release(directory: Path) -> Path:
    """A tabular, a flattened diseases index, an external-cause index and one PCS table."""
    return write_release(
        directory,
        tabular_2031__xml=TABULAR,
        index_2030_flat__csv=FLAT_INDEX,
        eindex_2030__xml=EXTERNAL_CAUSE_INDEX,
        pcs_tables_2031__xml=PCS_TABLES,
        notes__txt="not a release file",
    )
