//! Answers to requests, from the data model: Get, GetInstances, GetSupportedDM,
//! GetSupportedProtocol, Set, Add, Delete (Operate is in `mod.rs`, with the commands).

use std::collections::BTreeMap;

use usp_datamodel::{
    DataModel, Instances, MemoryInstances, Node, ObjectAccess, ParamAccess, Path, ResolveError,
    SupportedModel,
};
use usp_msg::request::add::CreateObject;
use usp_msg::request::set::UpdateObject;
use usp_msg::response::add::CreatedObjectResult;
use usp_msg::response::delete::DeletedObjectResult;
use usp_msg::response::get::{RequestedPathResult, ResolvedPathResult};
use usp_msg::response::get_instances::{CurrInstance, RequestedPathResult as InstancesPathResult};
use usp_msg::response::get_supported_dm::{
    RequestedObjectResult, SupportedCommandResult, SupportedEventResult, SupportedObjectResult,
    SupportedParamResult,
};
use usp_msg::response::set::{UpdatedInstanceFailure, UpdatedInstanceResult, UpdatedObjectResult};
use usp_msg::{
    Add, AddResp, CmdType, Delete, DeleteResp, Get, GetInstances, GetInstancesResp, GetResp,
    GetSupportedDm, GetSupportedDmResp, ObjAccessType, ParamAccessType, ParamValueType, Set,
    SetResp, UspError,
};
use usp_types::{EndpointId, ErrorCode};

use super::handler::{Fault, Handler};
use super::model::{CONTROLLER_TABLE, SUBSCRIPTION_TABLE};

/// Parameters that failed, with why.
type ParamFaults = Vec<(String, Fault)>;
/// Per object of a Set: the parameters to write and the non-required ones that failed.
type SetPlan = Vec<(String, Vec<(String, String)>, ParamFaults)>;
/// Per created instance: its path, unique keys and failed parameters.
type Created = Vec<(String, BTreeMap<String, String>, ParamFaults)>;
/// Per requested path of a Delete: the instances to delete and those that cannot be.
type DeletePlan = Vec<(String, Vec<String>, ParamFaults)>;

/// A change to the Instantiated Data Model, which may trigger notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    Value {
        path: String,
        value: String,
    },
    Created {
        path: String,
        keys: BTreeMap<String, String>,
    },
    Deleted {
        path: String,
        /// The ObjectDeletion Subscriptions that watched it, matched before it went.
        matched: Vec<super::notify::Sub>,
    },
}

impl Core {
    /// Deletes an instance, with the change it makes; `None` if it does not exist.
    pub(crate) fn delete_instance(&mut self, path: &str) -> Option<Change> {
        let (table, n) = split_instance(path)?;
        let matched = super::notify::matching(self, super::model::NotifType::ObjectDeletion, path);
        self.data
            .delete_instance(table, n)
            .then(|| Change::Deleted {
                path: path.to_owned(),
                matched,
            })
    }
}

/// The data model of an Agent and the application behind it.
pub(crate) struct Core {
    pub(crate) schema: SupportedModel,
    pub(crate) data: MemoryInstances,
    pub(crate) handler: Box<dyn Handler>,
    /// Numbers the values an Agent assigns to unique keys (R-ADD.5).
    pub(crate) assigned: u64,
}

pub(crate) fn parse_path(path: &str) -> Result<Path, ResolveError> {
    path.parse::<Path>().map_err(ResolveError::from)
}

/// `Device.IP.Interface.3.` → `Device.IP.Interface.{i}.`.
pub(crate) fn supported(path: &str) -> Option<String> {
    path.parse::<Path>()
        .ok()?
        .to_supported()
        .map(|s| s.to_string())
}

/// `Device.IP.Interface.3.` → (`Device.IP.Interface.`, 3).
pub(crate) fn split_instance(path: &str) -> Option<(&str, usp_datamodel::InstanceNumber)> {
    let body = path.strip_suffix('.')?;
    let dot = body.rfind('.')?;
    Some((&path[..=dot], body[dot + 1..].parse().ok()?))
}

impl Core {
    pub(crate) fn model(&self) -> DataModel<'_, MemoryInstances> {
        DataModel::new(&self.schema, &self.data)
    }

    pub(crate) fn get(&self, req: &Get<'_>) -> GetResp<'static> {
        let model = self.model();
        req.param_paths
            .iter()
            .map(|requested| {
                let result = parse_path(requested).and_then(|p| model.get(&p, req.max_depth));
                match result {
                    Ok(results) => RequestedPathResult::success(
                        requested.to_string(),
                        results
                            .into_iter()
                            .map(|r| ResolvedPathResult::new(r.resolved_path, r.params)),
                    ),
                    Err(e) => {
                        RequestedPathResult::failure(requested.to_string(), e.code(), e.to_string())
                    }
                }
            })
            .collect()
    }

    pub(crate) fn get_instances(&self, req: &GetInstances<'_>) -> GetInstancesResp<'static> {
        let model = self.model();
        req.obj_paths
            .iter()
            .map(|requested| {
                let result = parse_path(requested)
                    .and_then(|p| model.get_instances(&p, req.first_level_only));
                match result {
                    Ok(instances) => InstancesPathResult::success(
                        requested.to_string(),
                        instances
                            .into_iter()
                            .map(|i| CurrInstance::new(i.path, i.unique_keys)),
                    ),
                    Err(e) => {
                        InstancesPathResult::failure(requested.to_string(), e.code(), e.to_string())
                    }
                }
            })
            .collect()
    }

    pub(crate) fn get_supported_dm(&self, req: &GetSupportedDm<'_>) -> GetSupportedDmResp<'static> {
        req.obj_paths
            .iter()
            .map(|requested| {
                match self
                    .schema
                    .get_supported_dm(requested, req.first_level_only)
                {
                    Ok(ids) => ids.into_iter().fold(
                        RequestedObjectResult::new(requested.to_string())
                            .data_model_inst_uri("urn:broadband-forum-org:tr-181-2-19-0"),
                        |acc, id| acc.supported_obj(self.supported_object(id, req)),
                    ),
                    Err(e) => RequestedObjectResult::failure(
                        requested.to_string(),
                        e.code(),
                        e.to_string(),
                    ),
                }
            })
            .collect()
    }

    fn supported_object(
        &self,
        id: usp_datamodel::ObjectId,
        req: &GetSupportedDm<'_>,
    ) -> SupportedObjectResult<'static> {
        let def = self.schema.object(id);
        let access = match def.access() {
            ObjectAccess::AddDelete => ObjAccessType::OBJ_ADD_DELETE,
            ObjectAccess::AddOnly => ObjAccessType::OBJ_ADD_ONLY,
            ObjectAccess::DeleteOnly => ObjAccessType::OBJ_DELETE_ONLY,
            _ => ObjAccessType::OBJ_READ_ONLY,
        };
        let mut out = SupportedObjectResult::new(def.path().to_owned())
            .access(access)
            .multi_instance(def.is_multi_instance());
        if req.return_params {
            for p in def.params() {
                let access = match p.access() {
                    ParamAccess::ReadWrite => ParamAccessType::PARAM_READ_WRITE,
                    ParamAccess::WriteOnly => ParamAccessType::PARAM_WRITE_ONLY,
                    _ => ParamAccessType::PARAM_READ_ONLY,
                };
                out = out.param(
                    SupportedParamResult::new(
                        p.name().to_owned(),
                        access,
                        value_type(p.param_type().data_type()),
                    )
                    .value_change(usp_msg::ValueChangeType::VALUE_CHANGE_ALLOWED),
                );
            }
        }
        if req.return_commands {
            for c in def.commands() {
                let ty = if c.is_async() {
                    CmdType::CMD_ASYNC
                } else {
                    CmdType::CMD_SYNC
                };
                out = out.command(
                    SupportedCommandResult::new(format!("{}()", c.name()), ty)
                        .input_args(c.input_args().iter().cloned())
                        .output_args(c.output_args().iter().cloned()),
                );
            }
        }
        if req.return_events {
            for e in def.events() {
                out = out.event(
                    SupportedEventResult::new(format!("{}!", e.name()))
                        .args(e.args().iter().cloned()),
                );
            }
        }
        if req.return_unique_key_sets {
            for keys in def.unique_keys() {
                out = out.unique_key_set(keys.iter().cloned());
            }
        }
        out
    }

    /// Checks one parameter write: supported (7010), writable (7013), of the right type
    /// (7012), and accepted by the application.
    fn check_param(
        &mut self,
        object: &str,
        param: &str,
        value: &str,
        add: bool,
    ) -> Result<(), Fault> {
        let Some(object_path) = supported(object) else {
            return Err(Fault::new(
                ErrorCode::INVALID_PATH,
                format!("{object} is not a valid path"),
            ));
        };
        let full = format!("{object_path}{param}");
        let Some(Node::Parameter(_, def)) = self.schema.lookup(&full) else {
            return Err(Fault::new(
                ErrorCode::UNSUPPORTED_PARAMETER,
                format!("{object}{param} is not supported"),
            ));
        };
        if def.access() == ParamAccess::ReadOnly {
            return Err(Fault::new(
                ErrorCode::PARAMETER_NOT_WRITABLE,
                format!("{object}{param} is read-only"),
            ));
        }
        if !def.param_type().accepts(value) {
            return Err(Fault::new(
                ErrorCode::INVALID_VALUE,
                format!("{value:?} is not a valid {}", def.param_type()),
            ));
        }
        if add {
            Ok(())
        } else {
            self.handler.set(object, param, value)
        }
    }

    /// Set (R-SET.0 to R-SET.2b): each `obj_path` is checked whole before anything is
    /// written, so a failed one changes nothing; with `allow_partial` false the first
    /// failure fails the request and nothing changes.
    pub(crate) fn set(
        &mut self,
        req: &Set<'_>,
        changes: &mut Vec<Change>,
    ) -> Result<SetResp<'static>, UspError<'static>> {
        let mut plans = Vec::new();
        let mut results = Vec::new();
        for update in &req.update_objs {
            match self.plan_set(update) {
                Ok(plan) => plans.push(Some(plan)),
                Err(failure) => {
                    if !req.allow_partial {
                        return Err(failure.into_error());
                    }
                    plans.push(None);
                    results.push((update.obj_path.to_string(), Err(failure)));
                    continue;
                }
            }
            results.push((update.obj_path.to_string(), Ok(())));
        }
        let mut resp = SetResp::new();
        for ((requested, status), plan) in results.into_iter().zip(plans) {
            match (status, plan) {
                (Ok(()), Some(plan)) => {
                    let mut instances = Vec::new();
                    for (object, ok, errs) in plan {
                        for (param, value) in &ok {
                            if self.stored(&object, param).as_deref() != Some(value.as_str()) {
                                self.store(&object, param, value);
                                changes.push(Change::Value {
                                    path: format!("{object}{param}"),
                                    value: value.clone(),
                                });
                            }
                        }
                        let mut inst = UpdatedInstanceResult::new(object, ok);
                        for f in errs {
                            inst = inst.param_err(f.0, f.1.code, f.1.message);
                        }
                        instances.push(inst);
                    }
                    resp.updated_obj_results
                        .push(UpdatedObjectResult::success(requested, instances));
                }
                (status, _) => {
                    let failure = failure_or_internal(status);
                    let mut result = UpdatedObjectResult::failure(
                        requested,
                        failure.code,
                        failure.message.clone(),
                    );
                    for (object, errs) in failure.instances {
                        let mut inst = UpdatedInstanceFailure::new(object);
                        for (param, f) in errs {
                            inst = inst.param_err(param, f.code, f.message);
                        }
                        result = result.updated_inst_failure(inst);
                    }
                    resp.updated_obj_results.push(result);
                }
            }
        }
        Ok(resp)
    }

    /// What one UpdateObject would write: per object, the parameters that pass and the
    /// non-required ones that fail.
    fn plan_set(&mut self, update: &UpdateObject<'_>) -> Result<SetPlan, ObjFailure> {
        let objects = parse_path(&update.obj_path)
            .and_then(|p| self.model().objects(&p))
            .map_err(|e| ObjFailure::new(object_code(&e), e.to_string()))?;
        if objects.is_empty() {
            // A search that matched nothing: nothing to update, not an error.
            return Ok(Vec::new());
        }
        let mut plan = Vec::new();
        let mut failed: Vec<(String, ParamFaults)> = Vec::new();
        for object in objects {
            let mut ok = Vec::new();
            let mut errs = Vec::new();
            let mut required_failed = false;
            for setting in &update.param_settings {
                match self.check_param(&object, &setting.param, &setting.value, false) {
                    Ok(()) => ok.push((setting.param.to_string(), setting.value.to_string())),
                    Err(f) => {
                        required_failed |= setting.required;
                        errs.push((setting.param.to_string(), f));
                    }
                }
            }
            // Unique keys stay unique (R-KEY.2, 7025): a key set whose new values another
            // instance has fails its parameters.
            for (param, f) in self.key_conflicts(&object, &ok) {
                required_failed |= update
                    .param_settings
                    .iter()
                    .any(|s| s.required && s.param == param);
                ok.retain(|(p, _)| *p != param);
                errs.push((param, f));
            }
            if required_failed {
                failed.push((object, errs));
            } else {
                plan.push((object, ok, errs));
            }
        }
        if failed.is_empty() {
            Ok(plan)
        } else {
            // R-SET.2a: a Search Path is treated whole.
            let mut failure = ObjFailure::new(
                ErrorCode::REQUIRED_PARAMETER_FAILED,
                "a required parameter could not be set",
            );
            failure.instances = failed;
            Err(failure)
        }
    }

    /// The parameters of `writes` to instance `object` that would give it the unique key
    /// values of another instance.
    fn key_conflicts(&self, object: &str, writes: &[(String, String)]) -> ParamFaults {
        let Some((table, n)) = split_instance(object) else {
            return Vec::new();
        };
        let Some(def) = supported(object).and_then(|s| self.schema.object_by_path(&s)) else {
            return Vec::new();
        };
        let new_value = |k: &str| {
            writes
                .iter()
                .find(|(p, _)| p == k)
                .map(|(_, v)| v.clone())
                .or_else(|| self.data.value(object, k).map(std::borrow::Cow::into_owned))
        };
        let mut out: ParamFaults = Vec::new();
        for set in self.schema.object(def).unique_keys() {
            if !set.iter().any(|k| writes.iter().any(|(p, _)| p == k)) {
                continue;
            }
            let wanted: Vec<Option<String>> = set.iter().map(|k| new_value(k)).collect();
            let clash = self.data.instance_numbers(table).into_iter().any(|other| {
                other != n
                    && set.iter().zip(&wanted).all(|(k, v)| {
                        self.data.row_value(table, other, k).as_deref() == v.as_deref()
                    })
            });
            if clash {
                for k in set {
                    if writes.iter().any(|(p, _)| p == k) && !out.iter().any(|(p, _)| p == k) {
                        out.push((
                            k.clone(),
                            Fault::new(
                                ErrorCode::DUPLICATE_UNIQUE_KEY,
                                format!(
                                    "another instance of {table} has the same {}",
                                    set.join(", ")
                                ),
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    /// Add (R-ADD.0 to R-ADD.5).
    pub(crate) fn add(
        &mut self,
        req: &Add<'_>,
        from: &EndpointId,
        changes: &mut Vec<Change>,
    ) -> Result<AddResp<'static>, UspError<'static>> {
        let mut created: Vec<String> = Vec::new();
        let mut resp = AddResp::new();
        let mut pending_changes = Vec::new();
        for create in &req.create_objs {
            match self.add_one(create, from) {
                Ok(results) => {
                    for (path, keys, errs) in results {
                        let mut r =
                            CreatedObjectResult::success(create.obj_path.to_string(), path.clone())
                                .unique_keys(keys.clone());
                        for (param, f) in errs {
                            r = r.param_err(param, f.code, f.message);
                        }
                        resp.created_obj_results.push(r);
                        pending_changes.push(Change::Created {
                            path: path.clone(),
                            keys,
                        });
                        created.push(path);
                    }
                }
                Err(failure) => {
                    if !req.allow_partial {
                        // R-ADD.1: nothing stays created.
                        for path in created {
                            self.undo_add(&path);
                        }
                        return Err(failure.into_error());
                    }
                    resp.created_obj_results.push(CreatedObjectResult::failure(
                        create.obj_path.to_string(),
                        failure.code,
                        failure.message,
                    ));
                }
            }
        }
        changes.extend(pending_changes);
        Ok(resp)
    }

    /// One CreateObject: an instance in every table its path addresses, or none
    /// (R-ADD.2a: a failure in any of them undoes the others).
    fn add_one(
        &mut self,
        create: &CreateObject<'_>,
        from: &EndpointId,
    ) -> Result<Created, ObjFailure> {
        let tables = parse_path(&create.obj_path)
            .and_then(|p| self.model().tables(&p))
            .map_err(|e| ObjFailure::new(object_code(&e), e.to_string()))?;
        let mut out: Created = Vec::new();
        for table in tables {
            match self.add_to_table(&table, create, from) {
                Ok(created) => out.push(created),
                Err(failure) => {
                    for (path, _, _) in &out {
                        self.undo_add(path);
                    }
                    return Err(failure);
                }
            }
        }
        Ok(out)
    }

    /// Removes an instance this request created, telling the application.
    pub(crate) fn undo_add(&mut self, path: &str) {
        if let Some((table, n)) = split_instance(path) {
            let _ = self.handler.delete(path);
            self.data.delete_instance(table, n);
        }
    }

    fn add_to_table(
        &mut self,
        table: &str,
        create: &CreateObject<'_>,
        from: &EndpointId,
    ) -> Result<(String, BTreeMap<String, String>, ParamFaults), ObjFailure> {
        let def_path = supported(table).map(|s| format!("{s}{{i}}."));
        let def = def_path
            .as_deref()
            .and_then(|p| self.schema.object_by_path(p))
            .map(|id| self.schema.object(id).clone());
        let Some(def) = def else {
            return Err(ObjFailure::new(
                ErrorCode::INVALID_PATH,
                format!("{table} is not supported"),
            ));
        };
        if !matches!(
            def.access(),
            ObjectAccess::AddDelete | ObjectAccess::AddOnly
        ) {
            return Err(ObjFailure::new(
                ErrorCode::OBJECT_NOT_CREATABLE,
                format!("{table} does not allow Add"),
            ));
        }
        let key_names: Vec<&String> = def.unique_keys().iter().flatten().collect();
        let mut params = BTreeMap::new();
        let mut errs = Vec::new();
        let probe = format!("{table}1.");
        for setting in &create.param_settings {
            match self.check_param(&probe, &setting.param, &setting.value, true) {
                Ok(()) => {
                    params.insert(setting.param.to_string(), setting.value.to_string());
                }
                // R-ADD.3; and a unique key the Controller gives is required whatever
                // `required` says.
                Err(f) if setting.required || key_names.iter().any(|k| **k == setting.param) => {
                    let mut failure = ObjFailure::new(
                        ErrorCode::REQUIRED_PARAMETER_FAILED,
                        format!("{}: {}", setting.param, f.message),
                    );
                    failure.instances =
                        vec![(table.to_owned(), vec![(setting.param.to_string(), f)])];
                    return Err(failure);
                }
                Err(f) => errs.push((setting.param.to_string(), f)),
            }
        }
        if table == SUBSCRIPTION_TABLE && !params.contains_key("Recipient") {
            // The Controller that creates a Subscription receives its notifications.
            params.insert("Recipient".into(), self.controller_row(from));
        }
        // R-ADD.5: unique keys the Controller left out get values of their type that no
        // instance has.
        let mut keys = BTreeMap::new();
        for key in &key_names {
            if !params.contains_key(*key) {
                let numeric = def.param(key).is_some_and(|p| !p.param_type().accepts("x"));
                let value = loop {
                    self.assigned += 1;
                    let candidate = match (key.as_str(), numeric) {
                        ("Alias", _) => format!("cpe-{}", self.assigned),
                        (_, true) => self.assigned.to_string(),
                        _ => format!("tr369-{}", self.assigned),
                    };
                    let taken = self
                        .data
                        .column(table, key)
                        .iter()
                        .any(|(_, v)| v.as_deref() == Some(candidate.as_str()));
                    if !taken {
                        break candidate;
                    }
                };
                params.insert((*key).clone(), value);
            }
            keys.insert((*key).clone(), params[*key].clone());
        }
        for set in def.unique_keys() {
            let taken = self.data.instance_numbers(table).into_iter().any(|n| {
                set.iter().all(|k| {
                    self.data.row_value(table, n, k).as_deref() == params.get(k).map(String::as_str)
                })
            });
            if taken {
                return Err(ObjFailure::new(
                    ErrorCode::DUPLICATE_UNIQUE_KEY,
                    format!("{table} has an instance with the same {}", set.join(", ")),
                ));
            }
        }
        let n = self.data.add_instance(table);
        let path = format!("{table}{n}.");
        if let Err(f) = self.handler.add(&path, &params) {
            self.data.delete_instance(table, n);
            return Err(ObjFailure::new(f.code, f.message));
        }
        for (k, v) in &params {
            self.store(&path, k, v);
        }
        Ok((path, keys, errs))
    }

    /// Writes a parameter named relative to `object` (`Stats.BytesSent` goes to the
    /// `Stats.` object under it).
    pub(crate) fn store(&mut self, object: &str, param: &str, value: &str) {
        match param.rsplit_once('.') {
            Some((sub, name)) => self.data.set(&format!("{object}{sub}."), name, value),
            None => self.data.set(object, param, value),
        }
    }

    /// The value of a parameter named relative to `object`.
    fn stored(&self, object: &str, param: &str) -> Option<String> {
        // `object` may be empty: `param` is then a whole Parameter Path.
        let v = match param.rsplit_once('.') {
            Some((sub, name)) => self.data.value(&format!("{object}{sub}."), name),
            None => self.data.value(object, param),
        };
        v.map(std::borrow::Cow::into_owned)
    }

    /// The value of the parameter at `path` (`Device.DeviceInfo.SoftwareVersion`).
    pub(crate) fn value_of(&self, path: &str) -> Option<String> {
        self.stored("", path)
    }

    /// The `Device.LocalAgent.Controller.{i}` path of a Controller, created when missing.
    pub(crate) fn controller_row(&mut self, id: &EndpointId) -> String {
        let table = CONTROLLER_TABLE;
        for n in self.data.instance_numbers(table) {
            if self.data.row_value(table, n, "EndpointID").as_deref() == Some(id.as_str()) {
                return format!("{table}{n}");
            }
        }
        let n = self.data.add_instance(table);
        let row = format!("{table}{n}.");
        self.data.set(&row, "EndpointID", id.as_str());
        self.data.set(&row, "Enable", "true");
        self.data.set(&row, "Alias", format!("cpe-{n}"));
        format!("{table}{n}")
    }

    /// Delete (R-DEL.0 to R-DEL.3).
    pub(crate) fn delete(
        &mut self,
        req: &Delete<'_>,
        changes: &mut Vec<Change>,
    ) -> Result<DeleteResp<'static>, UspError<'static>> {
        let mut resp = DeleteResp::new();
        let mut plan: DeletePlan = Vec::new();
        for requested in &req.obj_paths {
            let instances = parse_path(requested).and_then(|p| self.model().instances(&p));
            let instances = match instances {
                Ok(i) => i,
                Err(e) => {
                    let code = object_code(&e);
                    if !req.allow_partial {
                        // R-DEL.1
                        return Err(UspError::new(code, e.to_string()));
                    }
                    if *e.kind() == usp_datamodel::ResolveErrorKind::NoSuchInstance {
                        // R-DEL.2a: a valid path that addresses nothing deletes nothing.
                        resp.deleted_obj_results.push(DeletedObjectResult::success(
                            requested.to_string(),
                            Vec::<String>::new(),
                        ));
                        continue;
                    }
                    resp.deleted_obj_results.push(DeletedObjectResult::failure(
                        requested.to_string(),
                        code,
                        e.to_string(),
                    ));
                    continue;
                }
            };
            let mut ok = Vec::new();
            let mut errs = Vec::new();
            for object in instances {
                let allowed = supported(&object)
                    .and_then(|s| self.schema.object_by_path(&s))
                    .is_some_and(|id| {
                        matches!(
                            self.schema.object(id).access(),
                            ObjectAccess::AddDelete | ObjectAccess::DeleteOnly
                        )
                    });
                let check = if allowed {
                    self.handler.delete(&object)
                } else {
                    Err(Fault::new(
                        ErrorCode::DELETE_FAILURE,
                        format!("{object} cannot be deleted"),
                    ))
                };
                match check {
                    Ok(()) => ok.push(object),
                    Err(f) if !req.allow_partial => {
                        return Err(UspError::new(f.code, format!("{object}: {}", f.message)));
                    }
                    Err(f) => errs.push((object, f)),
                }
            }
            plan.push((requested.to_string(), ok, errs));
        }
        for (requested, ok, errs) in plan {
            for object in &ok {
                if let Some(change) = self.delete_instance(object) {
                    changes.push(change);
                }
            }
            let mut r = DeletedObjectResult::success(requested, ok);
            for (object, f) in errs {
                r = r.unaffected_path_err(object, f.code, f.message);
            }
            resp.deleted_obj_results.push(r);
        }
        Ok(resp)
    }
}

/// Why an object of a Set or Add failed.
#[derive(Debug)]
pub(crate) struct ObjFailure {
    code: ErrorCode,
    message: String,
    instances: Vec<(String, ParamFaults)>,
}

impl ObjFailure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            instances: Vec::new(),
        }
    }

    /// The Error Message of a request that fails whole (allow_partial false).
    fn into_error(self) -> UspError<'static> {
        let mut err = UspError::new(self.code, self.message);
        for (object, errs) in self.instances {
            for (param, f) in errs {
                err = err.param_err(format!("{object}{param}"), f.code, f.message);
            }
        }
        err
    }
}

fn failure_or_internal(f: Result<(), ObjFailure>) -> ObjFailure {
    match f {
        Err(f) => f,
        Ok(()) => ObjFailure::new(ErrorCode::INTERNAL_ERROR, "no plan"),
    }
}

/// The error code for an object path that does not resolve: 7016 for a missing
/// instance, the resolver's code otherwise.
fn object_code(e: &ResolveError) -> ErrorCode {
    if *e.kind() == usp_datamodel::ResolveErrorKind::NoSuchInstance {
        ErrorCode::OBJECT_DOES_NOT_EXIST
    } else {
        e.code()
    }
}

fn value_type(t: usp_datamodel::DataType) -> ParamValueType {
    use usp_datamodel::DataType as T;
    match t {
        T::Boolean => ParamValueType::PARAM_BOOLEAN,
        T::Int => ParamValueType::PARAM_INT,
        T::UnsignedInt => ParamValueType::PARAM_UNSIGNED_INT,
        T::Long => ParamValueType::PARAM_LONG,
        T::UnsignedLong => ParamValueType::PARAM_UNSIGNED_LONG,
        T::Decimal => ParamValueType::PARAM_DECIMAL,
        T::DateTime => ParamValueType::PARAM_DATE_TIME,
        T::HexBinary => ParamValueType::PARAM_HEX_BINARY,
        T::Base64 => ParamValueType::PARAM_BASE_64,
        _ => ParamValueType::PARAM_STRING,
    }
}
