"""まとめて処理モード (bulk processing mode): bulk 回答依頼 (D04), bulk 辞退, downloads, reminders."""
