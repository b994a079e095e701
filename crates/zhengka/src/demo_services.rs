//! The demo's one-card service catalogue: 12 kinds of service in each of the
//! 21 cities of Guangdong and at the province, 264 in all (the number the
//! card opened at launch), across the six sectors. Imported as a CSV file
//! through the same parser as an admin's import.

use chrono::Utc;
use serde_json::json;
use zhengka_domain::verification::parse_import;
use zhengka_store::{Audit, Store, Write};

const CITIES: [(&str, &str, &str); 22] = [
    ("440000", "广东省", "Guangdong"),
    ("440100", "广州", "Guangzhou"),
    ("440200", "韶关", "Shaoguan"),
    ("440300", "深圳", "Shenzhen"),
    ("440400", "珠海", "Zhuhai"),
    ("440500", "汕头", "Shantou"),
    ("440600", "佛山", "Foshan"),
    ("440700", "江门", "Jiangmen"),
    ("440800", "湛江", "Zhanjiang"),
    ("440900", "茂名", "Maoming"),
    ("441200", "肇庆", "Zhaoqing"),
    ("441300", "惠州", "Huizhou"),
    ("441400", "梅州", "Meizhou"),
    ("441500", "汕尾", "Shanwei"),
    ("441600", "河源", "Heyuan"),
    ("441700", "阳江", "Yangjiang"),
    ("441800", "清远", "Qingyuan"),
    ("441900", "东莞", "Dongguan"),
    ("442000", "中山", "Zhongshan"),
    ("445100", "潮州", "Chaozhou"),
    ("445200", "揭阳", "Jieyang"),
    ("445300", "云浮", "Yunfu"),
];

/// (code, sector, purpose, name zh, name en, provider zh with `{}` for the place)
const KINDS: [(&str, &str, &str, &str, &str, &str); 12] = [
    (
        "TRANSIT",
        "transport",
        "transit",
        "公交地铁乘车",
        "Bus and metro rides",
        "{}公共交通集团",
    ),
    (
        "RAIL",
        "transport",
        "transit",
        "城际铁路进站",
        "Intercity rail gates",
        "{}城际铁路",
    ),
    (
        "HOSPITAL",
        "healthcare",
        "healthcare",
        "医院挂号就诊",
        "Hospital registration and treatment",
        "{}第一人民医院",
    ),
    (
        "PHARMACY",
        "healthcare",
        "pharmacy",
        "定点药店购药",
        "Medicine at designated pharmacies",
        "{}医保定点药店",
    ),
    (
        "MUSEUM",
        "culture_tourism",
        "culture_venue",
        "博物馆入馆",
        "Museum entry",
        "{}博物馆",
    ),
    (
        "SCENIC",
        "culture_tourism",
        "culture_venue",
        "景区入园",
        "Scenic area entry",
        "{}文化旅游",
    ),
    (
        "LIB-LOAN",
        "library",
        "library",
        "图书借阅",
        "Library loans",
        "{}图书馆",
    ),
    (
        "LIB-READER",
        "library",
        "library",
        "读者证办理",
        "Reader registration",
        "{}图书馆",
    ),
    (
        "BANK",
        "finance",
        "bank",
        "社保卡金融账户服务",
        "Card bank account services",
        "{}合作银行",
    ),
    (
        "PAY",
        "finance",
        "bank",
        "免手续费刷卡消费",
        "Fee-free card payments",
        "银联{}分公司",
    ),
    (
        "GOV-HALL",
        "government_affairs",
        "government_service",
        "政务服务大厅办事",
        "Government service hall",
        "{}政务服务中心",
    ),
    (
        "SOCIAL-SECURITY",
        "government_affairs",
        "government_service",
        "社保查询与缴费",
        "Social security enquiries and payments",
        "{}社会保险基金管理局",
    ),
];

/// The catalogue as an import file.
pub fn catalogue_csv() -> String {
    let mut csv = String::from("code,sector,purpose,name_zh,name_en,provider,region_code\n");
    for (region, zh, en) in CITIES {
        for (kind, sector, purpose, name_zh, name_en, provider) in KINDS {
            let provider = provider.replace("{}", zh);
            let code = format!("{}-{kind}", en.to_ascii_uppercase());
            csv.push_str(&format!(
                "{code},{sector},{purpose},{zh}{name_zh},{en}: {name_en},{provider},{region}\n"
            ));
        }
    }
    csv
}

pub async fn fill(store: &dyn Store) -> anyhow::Result<usize> {
    let services = parse_import(&catalogue_csv())
        .map_err(|lines| anyhow::anyhow!("the demo catalogue has bad lines: {lines:?}"))?;
    let w = Write::new(Audit {
        at: Utc::now(),
        actor: "demo".into(),
        action: "service.imported",
        entity_type: "service",
        entity_id: "catalogue".into(),
        details: json!({ "services": services.len() }),
    });
    store.import_services(&services, w).await?;
    Ok(services.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_catalogue_has_264_services_in_six_sectors() {
        let all = zhengka_domain::verification::parse_import(&super::catalogue_csv()).unwrap();
        assert_eq!(all.len(), 264);
        let sectors: std::collections::HashSet<_> = all.iter().map(|s| s.sector).collect();
        assert_eq!(sectors.len(), 6);
    }
}
