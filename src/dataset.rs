//! The figures of one plan: the frozen [`Base`] (shared behind `Arc`, never copied), its forecast
//! [`Model`] (shared), and the plan's [`Projection`] — every school × phase × year's places and
//! pupils. Every view (map, server, report, export, CLI) reads a `Dataset`; the base case is the
//! empty plan, and a scenario is another `Dataset` over the same base ([`Dataset::with_plan`]).
//!
//! A `Dataset` dereferences to its [`Base`], so `ds.layers` and `ds.lsoas` are the base's;
//! `ds.schools`, `ds.placements` and `ds.settings` are the plan's (the register plus any new
//! school; the manifest's settings with the plan's operating margin and bands).

pub use crate::base::{Base, HousingInput, JoinStat, Vintage};
use crate::forecast::model::Model;
use crate::join::points::Placement;
use crate::manifest::{Manifest, Settings};
use crate::model::School;
use crate::model::disclosure::Disclosure;
use crate::problem::{Problem, Severity};
use crate::projection::{Plan, PlanError, Projection};
use crate::source::FileSource;
use std::sync::Arc;

/// The figures of one plan over a shared base.
pub struct Dataset {
    /// The inputs and joins, shared by every plan.
    pub base: Arc<Base>,
    /// placeplan's own forecasts and their back-test, shared by every plan.
    pub model: Arc<Model>,
    /// The name shown in outputs: the manifest's, with the plan's name when there is one.
    pub name: String,
    /// The plan's schools: the register with its changes, then any new school.
    pub schools: Vec<School>,
    /// `placements[layer][school]` for the plan's schools.
    pub placements: Vec<Vec<Placement>>,
    /// The plan's pupils by school × phase × year.
    pub projection: Projection,
    /// The base's problems, the forecasts', and the projection's.
    pub problems: Vec<Problem>,
    /// The plan's rows, each layer's built on first use ([`crate::analysis::summary`]).
    pub results: crate::results::Catalogue,
    /// The disclosure control its pupils are under ([`Dataset::disclosed`]); `None`: unrounded.
    pub disclosure: Option<Disclosure>,
    /// The manifest's settings with the plan's operating margin and bands
    /// ([`crate::scenario::Scenario::settings_over`]): every sufficiency figure reads these.
    pub settings: Settings,
    /// The plan these figures are of; `None` for the data as it is.
    pub plan: Option<Arc<Plan>>,
}

/// A clone shares the base and forecasts and copies the plan's schools; its rows are built afresh
/// on first use, so that a clone whose schools are then changed never shows the original's rows.
impl Clone for Dataset {
    fn clone(&self) -> Self {
        Self {
            base: Arc::clone(&self.base),
            model: Arc::clone(&self.model),
            name: self.name.clone(),
            schools: self.schools.clone(),
            placements: self.placements.clone(),
            projection: self.projection.clone(),
            problems: self.problems.clone(),
            results: crate::results::Catalogue::new(self.base.layers.len()),
            disclosure: self.disclosure,
            settings: self.settings.clone(),
            plan: self.plan.clone(),
        }
    }
}

impl std::ops::Deref for Dataset {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl Dataset {
    /// Loads and joins everything the manifest names ([`Base::load`]), forecasts from the rolls
    /// ([`Model::build`]) and projects the base case (the empty plan). Problems are collected, not
    /// returned as errors. `progress` is told each step's name.
    #[must_use]
    pub fn load(manifest: &Manifest, src: &FileSource, progress: &(dyn Fn(&str) + Sync)) -> Self {
        Self::from_base(Arc::new(Base::load(manifest, src, progress)), progress)
    }

    /// [`Dataset::load`] from a base already loaded (or read from a snapshot,
    /// [`crate::snapshot`]): forecasts from the rolls and the base case.
    #[must_use]
    pub fn from_base(base: Arc<Base>, progress: &(dyn Fn(&str) + Sync)) -> Self {
        progress("forecasting from rolls");
        let model = Arc::new(Model::build(&base));
        let n_layers = base.layers.len();
        progress("projecting");
        // The empty plan names no school and no year, so it always applies; should it not, the
        // failure is reported as fatal rather than panicking.
        Self::project(Arc::clone(&base), Arc::clone(&model), &Plan::default()).unwrap_or_else(|e| {
            let mut problems = base.problems.clone();
            problems.push(Problem::fatal("manifest", format!("the base case could not be projected: {e}")));
            Self {
                name: base.name.clone(),
                schools: base.register.clone(),
                placements: base.placements.clone(),
                projection: Projection::none(),
                model,
                problems,
                results: crate::results::Catalogue::new(n_layers),
                disclosure: None,
                settings: base.settings.clone(),
                plan: None,
                base,
            }
        })
    }

    /// The figures of `plan` over `base` and `model`.
    ///
    /// # Errors
    /// The plan cannot be applied ([`PlanError`]).
    pub fn project(base: Arc<Base>, model: Arc<Model>, plan: &Plan) -> Result<Self, PlanError> {
        let settings = plan.settings_over(&base.settings)?;
        let mut projection = Projection::build(&base, &model, plan)?;
        let mut problems = base.problems.clone();
        problems.extend(model.problems.iter().cloned());
        problems.append(&mut projection.problems);
        let n_layers = base.layers.len();
        let name = match &projection.plan {
            Some(p) if !p.is_empty() => format!("{} — scenario: {p}", base.name),
            _ => base.name.clone(),
        };
        Ok(Self {
            schools: std::mem::take(&mut projection.schools),
            placements: std::mem::take(&mut projection.placements),
            name,
            base,
            model,
            projection,
            problems,
            results: crate::results::Catalogue::new(n_layers),
            disclosure: None,
            settings,
            plan: (!plan.is_empty()).then(|| Arc::new(plan.clone())),
        })
    }

    /// The same base and forecasts with `plan` applied instead: nothing is copied but the
    /// schools' records; the polygons, indexes and joins are shared.
    ///
    /// # Errors
    /// The plan cannot be applied ([`PlanError`]).
    pub fn with_plan(&self, plan: &Plan) -> Result<Self, PlanError> {
        let ds = Self::project(Arc::clone(&self.base), Arc::clone(&self.model), plan)?;
        Ok(match self.disclosure {
            Some(d) => ds.controlled(d),
            None => ds,
        })
    }

    /// The figures as they may be shown beyond the analyst's computer: under disclosure control
    /// ([`Disclosure`]) when the manifest marks any input confidential, else as they are. Every
    /// plan made from it ([`Dataset::with_plan`]) is under the same control.
    #[must_use]
    pub fn disclosed(self) -> Self {
        if self.confidential.is_empty() || self.disclosure.is_some() {
            self
        } else {
            self.controlled(Disclosure::default())
        }
    }

    /// These figures under disclosure control `d`: every school × phase × year's pupils and every
    /// school's census pupils rounded or suppressed ([`Projection::control`]), so that every row
    /// and view made from them is too.
    #[must_use]
    pub fn controlled(mut self, d: Disclosure) -> Self {
        self.projection.control(&d);
        for s in &mut self.schools {
            s.figures.control_pupils(&d);
            // The register's headcount weights FSM % (and is a count of pupils too).
            s.pupils = s.pupils.map(|p| d.counted(p));
        }
        self.results = crate::results::Catalogue::new(self.base.layers.len());
        self.disclosure = Some(d);
        self
    }

    /// The note its pages and files carry when its figures are under disclosure control.
    #[must_use]
    pub fn disclosure_note(&self) -> Option<String> {
        self.disclosure.map(|d| d.note())
    }

    /// True when school `si`'s pupils in `phase` and `year` are suppressed by disclosure control:
    /// shown as `c`, counted as 5 in every total.
    #[must_use]
    pub fn suppressed(&self, si: usize, phase: crate::model::Phase, year: i32) -> bool {
        self.schools
            .get(si)
            .is_some_and(|s| self.projection.is_suppressed(s.urn, phase, year))
    }

    /// True when any problem is fatal.
    #[must_use]
    pub fn has_fatal(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Fatal)
    }

    /// School `si`'s pupils in `phase` and `year` from the projection (`None` outside the phase's
    /// totals or the years with figures).
    #[must_use]
    pub fn pupils(&self, si: usize, phase: crate::model::Phase, year: i32) -> Option<&crate::projection::SchoolYear> {
        self.projection.get(self.schools.get(si)?.urn, phase, year)
    }

    /// The academic years with figures for `phase`: the census year, then every forecast year.
    #[must_use]
    pub fn years(&self, phase: crate::model::Phase) -> &[i32] {
        self.projection.years(phase)
    }
}
