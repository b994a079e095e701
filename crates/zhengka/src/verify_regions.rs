//! `zhengka verify` given one trust list or several (federation): with one,
//! exactly the single-region verification; with several, a set of regions in
//! which each credential is checked against its own region's keys and status
//! lists. Each status list belongs to the region whose keys verify it.

use zhengka_credential::{
    Policy, Purpose, RegionTrust, Rejection, StatusList, TrustList, TrustSet, Verified,
    verify_with_lists, verify_with_set,
};

pub enum Verifier {
    One(TrustList, Vec<StatusList>),
    Regions(TrustSet),
}

impl Verifier {
    pub fn new(trusts: Vec<TrustList>, tokens: &[Vec<u8>]) -> anyhow::Result<Self> {
        if let [trust] = trusts.as_slice() {
            let lists = tokens
                .iter()
                .map(|t| {
                    StatusList::from_token(t, trust).map_err(|e| {
                        anyhow::anyhow!("the status list does not verify: {}", e.code())
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            return Ok(Verifier::One(trust.clone(), lists));
        }
        let mut regions = trusts
            .into_iter()
            .map(|t| {
                let region = t
                    .keys
                    .first()
                    .map(|k| k.region.clone())
                    .ok_or_else(|| anyhow::anyhow!("a trust list names no key"))?;
                RegionTrust::new(&region, t).map_err(|e| anyhow::anyhow!("{e}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for token in tokens {
            let owner = regions
                .iter_mut()
                .find(|r| StatusList::from_token(token, r.trust()).is_ok())
                .ok_or_else(|| {
                    anyhow::anyhow!("a status list does not verify under any trust list")
                })?;
            *owner = owner
                .clone()
                .with_status_token(token)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let mut set = TrustSet::new();
        for region in regions {
            // With status lists given, every region's credentials need theirs
            // (as one list given and not named refuses the credential).
            let region = if tokens.is_empty() {
                region
            } else {
                region.peer(Policy::default().status_max_age)
            };
            set.push(region).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(Verifier::Regions(set))
    }

    pub fn verify(
        &self,
        qr: &str,
        now: i64,
        purpose: Purpose,
        policy: &Policy,
    ) -> Result<Verified, Rejection> {
        match self {
            Verifier::One(trust, lists) => {
                let lists: Vec<&StatusList> = lists.iter().collect();
                verify_with_lists(qr, trust, &lists, now, purpose, policy)
            }
            Verifier::Regions(set) => verify_with_set(qr, set, now, purpose, policy),
        }
    }
}
