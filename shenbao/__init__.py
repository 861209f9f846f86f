"""shenbao (申报): reads 技能大师工作室 application packets for the reviewer."""

__version__ = "0.1.0"
