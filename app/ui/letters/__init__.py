"""The 文书 page: unit letters, the 呈报表 draft and printing."""
