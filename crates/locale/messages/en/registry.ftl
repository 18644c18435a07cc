### 档案: 行政区划、身份证号、家庭与成员。
# 行政区划代码
region-code-length = a region code has 6, 9 or 12 digits, this one has { $found } characters
region-code-digits = a region code has digits only
region-code-province = { $code } is not a region code: the province part cannot be 00
# 公民身份号码
id-number-length = an ID number has 18 characters, this one has { $found }
id-number-not-a-digit = character { $position } of the ID number must be a digit
id-number-last-character = the last character of the ID number must be a digit or X
id-number-birth-date = the birth date { $date } in the ID number does not exist
id-number-check-character = the check character is { $found }, but the other 17 characters give { $expected }: a digit was probably mistyped
# 家庭档案状态
family-status-registered = registered
family-status-verified = verified
family-status-active = active
family-status-suspended = suspended
family-status-moved_out = moved out
family-status-closed = closed
family-status-illegal = a family that is { $from } cannot become { $to }; from { $from } it can become: { $allowed }
family-status-final = a family that is { $from } cannot become { $to }: { $from } is final
family-status-needs-reason = a status change needs a reason
family-status-bad-reason = the reason: { $reason }
# 建档
family-region-level = a family is filed at a township or village
family-region-outside-city = { $region } is not in this city ({ $city })
family-needs-member = a family needs at least one member
id-number-born-in-future = the birth date in this ID number is in the future; check the number
id-number-mother-is-male = this ID number is a man's (its 17th digit is odd); check the number or the role
id-number-father-is-female = this ID number is a woman's (its 17th digit is even); check the number or the role
id-number-twice-in-family = the same ID number appears twice in this family
phone-format = a phone number is an 11-digit mobile number or a landline with area code
death-date-in-future = the date of death cannot be in the future
# 成员身份
member-role-father = father
member-role-mother = mother
member-role-grandchild = grandchild
member-role-other = other member
# 资格审核
eligibility-registered-in-city = the { $role } ({ $name }) has household registration in { $region }, within the city { $city }
eligibility-no-living-parent = no living parent is on file
eligibility-not-registered-in-city = no living parent has household registration within the city { $city }
eligibility-certificate = honour certificate { $no } issued { $date }
eligibility-certificate-undated = honour certificate { $no } (issue date not recorded)
eligibility-no-certificate = no Only-Child Parents' Honour Certificate is recorded
eligibility-child-died = the only child died on { $date }
eligibility-child-death-in-future = the recorded death date { $date } is in the future: check the date
eligibility-child-death-unrecorded = the only child's death is not recorded
eligibility-no-later-child = no later birth or adoption is recorded
eligibility-later-child = a later birth or adoption is recorded on { $date }
region-unknown = { $code } is not a known region code
region-outside-city = { $region } is not in this city
family-region-outside-area = { $region } is outside your area; a family is registered where it is managed
id-number-registered = already registered; the city office can transfer the file
member-fact-needs-evidence = a death or a household move is recorded on evidence: give the certificate or register entry
member-deceased = this member has died
move-target-level = move to a township or village of this city
move-date-before-last = a move cannot be dated before the family's last move or registration
# 批量导入
import-col-household = Household
import-col-regionCode = Village code
import-col-honourCertificateNo = Honour certificate no.
import-col-honourCertificateDate = Certificate date
import-col-childDeathDate = Child's death date
import-col-laterChildDate = Later birth or adoption
import-col-role = Role
import-col-name = Name
import-col-idNumber = ID number
import-col-phone = Phone
import-col-address = Address
import-col-hukouRegionCode = Household registration code
import-col-deceasedOn = Date of death
import-empty = the file is empty: the first row is the header
import-column-missing = the column “{ $column }” is missing; fill in the template
import-too-many-rows = at most { $max } rows at a time; split the file
import-bad-date = the date “{ $found }” does not exist or is not written like 2015-03-08
import-bad-role = the role “{ $found }” is unknown: father, mother, grandchild or other member
import-duplicate-in-file = this ID number is the same as row { $row }'s
import-outside-area = { $region } is outside your area; it cannot be registered here
import-already-registered = already registered; the city office can transfer the file
import-not-a-spreadsheet = the file is not an XLSX or CSV spreadsheet
import-registered-meanwhile = someone registered one of these people while the file was checked; nothing was written, import it again
# 生效日期
effective-in-future = the effective date cannot be in the future
effective-too-far-back = the effective date can go back { $months } months at most, to { $earliest }
