### 扶助金: 应享待遇及其说明。
allowance-kind-special_support = special support allowance
allowance-kind-fertility_care_comfort = fertility-care comfort allowance
entitlement-not-a-parent = only the parents of the deceased only child receive the allowance
entitlement-no-child-death = the only child's death is not recorded, so eligibility has no start
entitlement-before-start = eligibility starts in { $start }, the month after the only child died on { $died }
entitlement-later-child = a later birth or adoption on { $date } ends the allowance from { $from }
entitlement-file-ended = the family's file was { $status } on { $date }: no allowance from { $from }
entitlement-suspended = the family was suspended on { $date }: suspended months are not paid
entitlement-not-yet-active = the family is not yet verified and active; once it is, months from { $start } are paid as arrears
entitlement-parent-died = { $name } died on { $date }: paid through { $through }
entitlement-no-county = the family's county is not known
entitlement-reference-wife = wife
entitlement-reference-self = no living wife on file; own age:
entitlement-no-standard = no allowance standard covers a reference age of { $age } in { $month } in { $county }
entitlement-owed = { $amount } CNY { $kind }: { $who } turned { $age } in { $turned }; family active since { $active }; standard of { $standard }
entitlement-county-standard = { $owed } for county { $county }
# 发放账户
account-kind = the account is a social_security_card or a bank_account
account-number-format = an account number has 12 to 30 digits
account-other-holder = the account is in { $holder }'s name, not { $member }'s: say why (a guardianship or power-of-attorney document number)
standard-amount-positive = the monthly amount must be positive (in fen)
standard-age-order = the minimum age is above the maximum
standard-county-outside = { $county } is not a county in your area
standard-starts-later = a standard of this kind already starts in { $month }; a change must start after it
since-recorded = { $since }, recorded { $recorded }
