//! The service catalogue (服务目录): six categories, about twenty services, and the units
//! (责任单位) responsible for each, as the seed lists them. Seeded into the database; a city
//! adds its own services and units as data.

/// The six categories of care (六大关怀).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareCategory {
    /// 生活关怀
    Life,
    /// 精神关怀
    Spiritual,
    /// 养老关怀
    Elderly,
    /// 健康关怀
    Health,
    /// 再生育关怀
    Rebirth,
    /// 宣传引导
    Publicity,
}

impl CareCategory {
    pub const ALL: [CareCategory; 6] = [
        CareCategory::Life,
        CareCategory::Spiritual,
        CareCategory::Elderly,
        CareCategory::Health,
        CareCategory::Rebirth,
        CareCategory::Publicity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CareCategory::Life => "life",
            CareCategory::Spiritual => "spiritual",
            CareCategory::Elderly => "elderly",
            CareCategory::Health => "health",
            CareCategory::Rebirth => "rebirth",
            CareCategory::Publicity => "publicity",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CareCategory::Life => "生活关怀",
            CareCategory::Spiritual => "精神关怀",
            CareCategory::Elderly => "养老关怀",
            CareCategory::Health => "健康关怀",
            CareCategory::Rebirth => "再生育关怀",
            CareCategory::Publicity => "宣传引导",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A responsible unit as seeded: (code, Chinese name, English name).
pub const SEED_UNITS: &[(&str, &str, &str)] = &[
    ("county_government", "县(市、区)政府", "County government"),
    ("finance", "财政局", "Finance Bureau"),
    (
        "health_commission",
        "人口计生委",
        "Health and Family Planning Commission",
    ),
    (
        "family_planning_association",
        "计生协",
        "Family Planning Association",
    ),
    (
        "housing",
        "住建局",
        "Housing and Urban-Rural Development Bureau",
    ),
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("education", "教育局", "Education Bureau"),
    (
        "human_resources",
        "人社局",
        "Human Resources and Social Security Bureau",
    ),
    ("justice", "司法局", "Justice Bureau"),
    ("health", "卫生局", "Health Bureau"),
    ("culture", "文化局", "Culture Bureau"),
    ("sports", "体育局", "Sports Bureau"),
    ("youth_league", "团市委", "Communist Youth League"),
    ("womens_federation", "妇联", "Women's Federation"),
    ("publicity", "宣传部", "Publicity Department"),
    ("public_security", "公安局", "Public Security Bureau"),
    ("insurer", "承保保险公司", "The contracted insurer"),
    ("media", "新闻媒体", "The media"),
];

/// A service as seeded.
#[derive(Debug, Clone, Copy)]
pub struct SeedService {
    pub code: &'static str,
    pub category: CareCategory,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub units: &'static [&'static str],
}

const fn s(
    code: &'static str,
    category: CareCategory,
    name_zh: &'static str,
    name_en: &'static str,
    units: &'static [&'static str],
) -> SeedService {
    SeedService {
        code,
        category,
        name_zh,
        name_en,
        units,
    }
}

use CareCategory::{Elderly, Health, Life, Publicity, Rebirth, Spiritual};

/// The seed's services, category by category.
pub const SEED_SERVICES: &[SeedService] = &[
    s(
        "allowance",
        Life,
        "扶助金发放",
        "Raised allowances",
        &["finance", "health_commission"],
    ),
    s(
        "emergency_aid",
        Life,
        "紧急救助",
        "Emergency aid",
        &["civil_affairs", "family_planning_association"],
    ),
    s(
        "housing_renovation",
        Life,
        "农村危房改造",
        "Rural dilapidated-house renovation",
        &["housing"],
    ),
    s(
        "school_place",
        Life,
        "第三代入学入托",
        "School places for the third generation",
        &["education"],
    ),
    s(
        "holiday_visit",
        Life,
        "定期慰问",
        "Holiday visits",
        &["family_planning_association", "county_government"],
    ),
    s(
        "home_visit",
        Life,
        "走访慰问",
        "Home visits",
        &["family_planning_association"],
    ),
    s(
        "accident_insurance",
        Life,
        "意外伤害保险",
        "Accident insurance",
        &["insurer", "family_planning_association"],
    ),
    s(
        "training_loan",
        Life,
        "就业培训和小额贴息贷款",
        "Training and subsidised micro-loans",
        &["human_resources"],
    ),
    s("legal_aid", Life, "法律援助", "Legal aid", &["justice"]),
    s(
        "pairing",
        Spiritual,
        "结对帮扶",
        "One-to-one pairing",
        &[
            "family_planning_association",
            "youth_league",
            "womens_federation",
        ],
    ),
    s(
        "counselling",
        Spiritual,
        "心理疏导",
        "Counselling",
        &["health", "family_planning_association"],
    ),
    s(
        "activities",
        Spiritual,
        "文体活动和同伴互助",
        "Cultural activities and peer support",
        &["culture", "sports"],
    ),
    s(
        "home_service",
        Elderly,
        "居家养老服务",
        "Home services",
        &["civil_affairs"],
    ),
    s(
        "care_home_admission",
        Elderly,
        "优先入住公办养老机构",
        "Priority admission to public elder-care homes",
        &["civil_affairs"],
    ),
    s(
        "guardianship",
        Elderly,
        "监护和后事安排",
        "Guardianship and end-of-life arrangements",
        &["civil_affairs", "justice"],
    ),
    s(
        "emergency_call",
        Elderly,
        "紧急呼叫",
        "Emergency call button",
        &["civil_affairs"],
    ),
    s(
        "checkup",
        Health,
        "健康体检",
        "Health check-ups",
        &["health"],
    ),
    s(
        "chronic_follow_up",
        Health,
        "慢病随访",
        "Chronic-disease follow-ups",
        &["health"],
    ),
    s(
        "green_channel",
        Health,
        "就医绿色通道",
        "Hospital green channel",
        &["health"],
    ),
    s(
        "family_doctor",
        Health,
        "家庭医生签约",
        "Family doctors",
        &["health"],
    ),
    s(
        "rebirth_support",
        Rebirth,
        "再生育技术服务",
        "Re-birth consultation and assisted reproduction",
        &["health", "health_commission"],
    ),
    s(
        "adoption",
        Rebirth,
        "优先收养",
        "Priority adoption",
        &["civil_affairs"],
    ),
    s(
        "policy_publicity",
        Publicity,
        "政策宣传和防诈骗教育",
        "Policy publicity and anti-fraud education",
        &["publicity", "media", "public_security"],
    ),
];

/// Checks a catalogue code a city adds (`[a-z0-9_]`, 2–40 characters).
pub fn valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_services_and_every_service_known_units() {
        for c in CareCategory::ALL {
            assert!(SEED_SERVICES.iter().any(|s| s.category == c), "{c:?}");
            assert_eq!(CareCategory::parse(c.as_str()), Some(c));
        }
        for s in SEED_SERVICES {
            assert!(valid_code(s.code), "{}", s.code);
            assert!(!s.units.is_empty());
            for u in s.units {
                assert!(SEED_UNITS.iter().any(|(code, _, _)| code == u), "{u}");
            }
        }
        assert!(SEED_SERVICES.len() >= 20);
    }

    #[test]
    fn codes_are_checked() {
        assert!(valid_code("spring_visit_2027"));
        assert!(!valid_code("../x"));
        assert!(!valid_code("A"));
    }
}
