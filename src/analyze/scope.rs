//! Imports, aliases and simple assignments of one file, and the resolution of an expression to
//! the path it stands for (`client.chat.completions.create` -> `openai.OpenAI().chat.completions.create`).
//!
//! The table is flat per file: a name maps to every binding of it, and a use takes the nearest
//! binding above it (or, for a use above every binding, such as a function defined before the
//! module-level client it uses, the first one). `self.x` / `this.x` are names of their own, so a
//! client stored in `__init__` or a class field is found from any method of the file.

use foldhash::{HashMap, HashMapExt};

use tree_sitter::Node;

use super::literal::{key_text, string_value};
use crate::lang::{Family, Field, NodeFields};
use crate::rules::{Registry, Seg, Vendor};

/// How deep resolution follows bindings and nested expressions before giving up. Bounds the
/// work on adversarial input (`a = a.b`, 50 000-deep attribute chains).
const MAX_DEPTH: usize = 48;

#[derive(Clone, Copy, Debug)]
enum BindVal<'t> {
    /// An import: the module path it binds (an index into `Scope::modules`).
    Import(usize),
    /// `name = <expr>`.
    Expr(Node<'t>),
    /// `name: <Type>`: an instance of the type.
    Instance(Node<'t>),
    /// `{ prop } = <expr>` / `{ prop: name } = <expr>`: a property of the value.
    Member(Node<'t>, Node<'t>),
    /// A local function or class: shadows anything imported under the same name.
    Local,
}

#[derive(Clone, Copy, Debug)]
struct Binding<'t> {
    /// Byte offset where the binding takes effect (the end of its statement).
    pos: usize,
    val: BindVal<'t>,
}

/// Who a client really talks to, decided from how it was constructed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribution {
    /// The SDK's own vendor (no `base_url`, or the vendor's own host).
    Default,
    /// Pointed at another vendor's API host (`OpenAI(base_url="https://api.x.ai/v1")`).
    Vendor(Vendor, String),
    /// Pointed at an endpoint from configuration or a non-vendor host: portable.
    Portable,
}

#[derive(Clone, Debug)]
pub struct ClientTag {
    /// The vendor of the SDK that built the client.
    pub sdk: Vendor,
    pub attribution: Attribution,
}

/// What an expression resolved to.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub segs: Vec<Seg>,
    pub client: Option<ClientTag>,
}

/// An import statement (or `require()`/`import()` call) and the module it names.
#[derive(Clone, Debug)]
pub struct Import<'t> {
    pub node: Node<'t>,
    pub module: Vec<Seg>,
}

pub struct Scope<'t, 'r> {
    src: &'t str,
    fam: Family,
    reg: &'r Registry,
    bindings: HashMap<&'t str, Vec<Binding<'t>>>,
    /// Bindings of `self.x` / `this.x` and other dotted names, keyed by their text.
    dotted: HashMap<String, Vec<Binding<'t>>>,
    pub imports: Vec<Import<'t>>,
    /// Module paths bound by imports.
    modules: Vec<Vec<Seg>>,
    /// SDK vendors for which the file builds a portable client, and a non-portable one.
    pub portable_clients: Vec<Vendor>,
    /// Where portable clients are built (offsets of their argument lists), counted once each.
    pub portable_sites: std::collections::BTreeSet<usize>,
    pub direct_clients: Vec<Vendor>,
}

impl<'t, 'r> Scope<'t, 'r> {
    pub fn new(src: &'t str, fam: Family, reg: &'r Registry) -> Self {
        Scope {
            src,
            fam,
            reg,
            bindings: HashMap::new(),
            dotted: HashMap::new(),
            imports: Vec::new(),
            modules: Vec::new(),
            portable_clients: Vec::new(),
            portable_sites: std::collections::BTreeSet::new(),
            direct_clients: Vec::new(),
        }
    }

    fn text(&self, node: Node<'t>) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// Records what a node (of the given kind) binds, if it is a binding form. Called for every
    /// node of the tree.
    pub fn collect(&mut self, node: Node<'t>, kind: &str) {
        match self.fam {
            Family::Python => self.collect_python(node, kind),
            Family::Js => self.collect_js(node, kind),
        }
    }

    /// Sorts bindings by position; call once after `collect` has seen every node.
    pub fn finish(&mut self) {
        for list in self.bindings.values_mut() {
            list.sort_by_key(|b| b.pos);
        }
        for list in self.dotted.values_mut() {
            list.sort_by_key(|b| b.pos);
        }
    }

    fn bind(&mut self, name: Node<'t>, pos: usize, val: BindVal<'t>) {
        match name.kind() {
            "identifier" | "shorthand_property_identifier_pattern" | "type_identifier" => {
                let key = self.text(name);
                self.bindings
                    .entry(key)
                    .or_default()
                    .push(Binding { pos, val });
            }
            "attribute" | "member_expression" => {
                if let Some(key) = self.dotted_key(name) {
                    self.dotted
                        .entry(key)
                        .or_default()
                        .push(Binding { pos, val });
                }
            }
            _ => {}
        }
    }

    /// `self.client` / `this.client` / `a.b.c` written with names only, as a lookup key.
    fn dotted_key(&self, node: Node<'t>) -> Option<String> {
        let (obj, prop) = member_parts(node, self.fam)?;
        if !matches!(obj.kind(), "identifier" | "this") {
            return None;
        }
        Some(format!("{}.{}", self.text(obj), self.text(prop)))
    }

    fn module_segs(&self, module: &str) -> Vec<Seg> {
        split_module(module, self.fam)
    }

    fn collect_python(&mut self, node: Node<'t>, kind: &str) {
        let end = node.end_byte();
        match kind {
            "import_statement" => {
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    match name.kind() {
                        "dotted_name" => {
                            let module = self.module_segs(self.text(name));
                            // `import a.b` binds `a`, the top-level package.
                            let top = module[..1.min(module.len())].to_vec();
                            self.imports.push(Import { node, module });
                            if let Some(first) = name.named_child(0) {
                                self.bind_module(first, end, top);
                            }
                        }
                        "aliased_import" => {
                            let (Some(m), Some(alias)) =
                                (name.field(Field::Name), name.field(Field::Alias))
                            else {
                                continue;
                            };
                            let module = self.module_segs(self.text(m));
                            self.imports.push(Import {
                                node,
                                module: module.clone(),
                            });
                            self.bind_module(alias, end, module);
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.field(Field::ModuleName) else {
                    return;
                };
                let relative = module.kind() == "relative_import";
                let base = if relative {
                    Vec::new()
                } else {
                    self.module_segs(self.text(module))
                };
                if !relative {
                    self.imports.push(Import {
                        node,
                        module: base.clone(),
                    });
                }
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    let (orig, local) = match name.kind() {
                        // `from m import a` wraps the name in a dotted_name.
                        "dotted_name" => match name.named_child(0) {
                            Some(id) => (name, id),
                            None => continue,
                        },
                        "aliased_import" => {
                            match (name.field(Field::Name), name.field(Field::Alias)) {
                                (Some(o), Some(a)) => (o, a),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    if relative {
                        // A module of this project: whatever it is named, it is not a vendor SDK.
                        self.bind(local, end, BindVal::Local);
                        continue;
                    }
                    let mut path = base.clone();
                    path.extend(self.module_segs(self.text(orig)));
                    // Each imported name is an import of its own, so that rules can name
                    // `anthropic.HUMAN_PROMPT` as well as `anthropic`.
                    self.imports.push(Import {
                        node,
                        module: path.clone(),
                    });
                    self.bind_module(local, end, path);
                }
            }
            "assignment" => {
                let Some(left) = node.field(Field::Left) else {
                    return;
                };
                if let Some(right) = node.field(Field::Right) {
                    self.bind(left, end, BindVal::Expr(right));
                } else if let Some(ty) = node.field(Field::Type) {
                    self.bind(left, end, BindVal::Instance(ty));
                }
            }
            "as_pattern" => {
                // `with OpenAI() as client:`
                if node.parent().is_some_and(|p| p.kind() == "with_item")
                    && let (Some(value), Some(alias)) =
                        (node.named_child(0), node.field(Field::Alias))
                    && let Some(name) = alias.named_child(0)
                {
                    self.bind(name, end, BindVal::Expr(value));
                }
            }
            "typed_parameter" => {
                if let (Some(name), Some(ty)) = (node.named_child(0), node.field(Field::Type)) {
                    self.bind(name, node.start_byte(), BindVal::Instance(ty));
                }
            }
            "typed_default_parameter" => {
                if let (Some(name), Some(ty)) = (node.field(Field::Name), node.field(Field::Type)) {
                    self.bind(name, node.start_byte(), BindVal::Instance(ty));
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = node.field(Field::Name) {
                    self.bind(name, node.start_byte(), BindVal::Local);
                }
            }
            _ => {}
        }
    }

    /// Binds a name to an imported module path.
    fn bind_module(&mut self, name: Node<'t>, pos: usize, module: Vec<Seg>) {
        self.modules.push(module);
        self.bind(name, pos, BindVal::Import(self.modules.len() - 1));
    }

    fn collect_js(&mut self, node: Node<'t>, kind: &str) {
        let end = node.end_byte();
        match kind {
            "import_statement" => {
                let Some(source) = node.field(Field::Source) else {
                    return;
                };
                let Some(module) = string_value(source, self.src, self.fam) else {
                    return;
                };
                if is_relative(&module.value) {
                    self.bind_clause_local(node, end);
                    return;
                }
                let base = self.module_segs(&module.value);
                self.imports.push(Import {
                    node,
                    module: base.clone(),
                });
                let mut c = node.walk();
                let Some(clause) = node.children(&mut c).find(|n| n.kind() == "import_clause")
                else {
                    return;
                };
                let mut c2 = clause.walk();
                for part in clause.named_children(&mut c2) {
                    match part.kind() {
                        // default import: the module's default export, which lockin treats as the
                        // module itself (as `require()` returns it).
                        "identifier" => self.bind_module(part, end, base.clone()),
                        "namespace_import" => {
                            if let Some(id) = part.named_child(0) {
                                self.bind_module(id, end, base.clone());
                            }
                        }
                        "named_imports" => {
                            let mut c3 = part.walk();
                            for spec in part.named_children(&mut c3) {
                                let Some(name) = spec.field(Field::Name) else {
                                    continue;
                                };
                                let local = spec.field(Field::Alias).unwrap_or(name);
                                let mut path = base.clone();
                                let imported =
                                    key_text(name, self.src, self.fam).unwrap_or_default();
                                if imported != "default" {
                                    path.push(Seg::Name(imported.into()));
                                }
                                self.bind_module(local, end, path);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "export_statement" => {
                if let Some(source) = node.field(Field::Source)
                    && let Some(module) = string_value(source, self.src, self.fam)
                    && !is_relative(&module.value)
                {
                    let module = self.module_segs(&module.value);
                    self.imports.push(Import { node, module });
                }
            }
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field(Field::Name), node.field(Field::Value))
                else {
                    if let (Some(name), Some(ty)) =
                        (node.field(Field::Name), node.field(Field::Type))
                    {
                        self.bind(name, end, BindVal::Instance(ty));
                    }
                    return;
                };
                match name.kind() {
                    "identifier" => self.bind(name, end, BindVal::Expr(value)),
                    "object_pattern" => {
                        // `const { A, B: C } = require("m")`: each name is an import of `m.A`.
                        let module = match value.kind() {
                            "call_expression" => value
                                .field(Field::Function)
                                .and_then(|f| self.js_module_call(value, f)),
                            "await_expression" => value.named_child(0).and_then(|call| {
                                self.js_module_call(call, call.field(Field::Function)?)
                            }),
                            _ => None,
                        };
                        let mut c = name.walk();
                        for prop in name.named_children(&mut c) {
                            match prop.kind() {
                                "shorthand_property_identifier_pattern" => {
                                    self.bind(prop, end, BindVal::Member(value, prop));
                                    self.push_member_import(value, module.as_deref(), prop);
                                }
                                "pair_pattern" => {
                                    if let (Some(k), Some(v)) =
                                        (prop.field(Field::Key), prop.field(Field::Value))
                                        && v.kind() == "identifier"
                                    {
                                        self.bind(v, end, BindVal::Member(value, k));
                                        self.push_member_import(value, module.as_deref(), k);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            "assignment_expression" => {
                if let (Some(left), Some(right)) =
                    (node.field(Field::Left), node.field(Field::Right))
                {
                    self.bind(left, end, BindVal::Expr(right));
                }
            }
            "public_field_definition" | "field_definition" => {
                let name = node
                    .field(Field::Name)
                    .or_else(|| node.field(Field::Property));
                if let Some(name) = name {
                    let key = format!("this.{}", self.text(name));
                    let val = match node.field(Field::Value) {
                        Some(v) => BindVal::Expr(v),
                        None => match node.field(Field::Type) {
                            Some(t) => BindVal::Instance(t),
                            None => return,
                        },
                    };
                    // A field initialiser runs at construction: visible from every method.
                    self.dotted
                        .entry(key)
                        .or_default()
                        .push(Binding { pos: 0, val });
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let (Some(name), Some(ty)) =
                    (node.field(Field::Pattern), node.field(Field::Type))
                    && name.kind() == "identifier"
                {
                    self.bind(name, node.start_byte(), BindVal::Instance(ty));
                }
            }
            "function_declaration" | "class_declaration" | "generator_function_declaration" => {
                if let Some(name) = node.field(Field::Name) {
                    let key = self.text(name);
                    self.bindings.entry(key).or_default().push(Binding {
                        pos: node.start_byte(),
                        val: BindVal::Local,
                    });
                }
            }
            _ => {}
        }
    }

    /// Records `module.name` as imported at `node`, for a destructured `require`/`import()`.
    fn push_member_import(&mut self, node: Node<'t>, module: Option<&[Seg]>, name: Node<'t>) {
        let (Some(module), Some(name)) = (module, key_text(name, self.src, self.fam)) else {
            return;
        };
        let mut path = module.to_vec();
        if name != "default" {
            path.push(Seg::Name(name.into()));
        }
        self.imports.push(Import { node, module: path });
    }

    /// Names imported from a relative module are the project's own.
    fn bind_clause_local(&mut self, node: Node<'t>, end: usize) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "identifier" {
                self.bind(n, end, BindVal::Local);
            }
            let mut c = n.walk();
            stack.extend(n.named_children(&mut c));
        }
    }

    fn lookup(&self, list: Option<&Vec<Binding<'t>>>, at: usize) -> Option<BindVal<'t>> {
        let list = list?;
        let idx = list.partition_point(|b| b.pos <= at);
        let b = if idx > 0 {
            list[idx - 1]
        } else {
            *list.first()?
        };
        Some(b.val)
    }

    /// Resolves an expression to the path it stands for. `None` when the expression is not a
    /// path at all (a literal, an arithmetic expression) or names a local definition.
    pub fn resolve(&mut self, node: Node<'t>) -> Option<Resolved> {
        self.resolve_at(node, 0)
    }

    fn resolve_binding(&mut self, val: BindVal<'t>, depth: usize) -> Option<Resolved> {
        match val {
            BindVal::Import(i) => Some(Resolved {
                segs: self.modules[i].clone(),
                client: None,
            }),
            BindVal::Expr(e) => self.resolve_at(e, depth + 1),
            BindVal::Instance(t) => {
                let mut r = self.resolve_at(t, depth + 1)?;
                if matches!(r.segs.first(), Some(Seg::Unknown(_))) {
                    return None; // `x: int`, `x: MyType`: not a vendor instance
                }
                r.segs.push(Seg::Call);
                Some(r)
            }
            BindVal::Member(value, prop) => {
                let mut r = self.resolve_at(value, depth + 1)?;
                let name = key_text(prop, self.src, self.fam)?;
                if !(name == "default" && r.segs.len() == 1) {
                    r.segs.push(Seg::Name(name.into()));
                }
                Some(r)
            }
            BindVal::Local => None,
        }
    }

    fn resolve_at(&mut self, node: Node<'t>, depth: usize) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = node.kind();
        match kind {
            "identifier" | "type_identifier" | "this" | "shorthand_property_identifier" => {
                let name = self.text(node);
                match self.lookup(self.bindings.get(name), node.start_byte()) {
                    Some(val) => self.resolve_binding(val, depth),
                    None => Some(Resolved {
                        segs: vec![Seg::Unknown(name.into())],
                        client: None,
                    }),
                }
            }
            "attribute" | "member_expression" => {
                let (obj, prop) = member_parts(node, self.fam)?;
                if let Some(key) = self.dotted_key(node)
                    && let Some(val) = self.lookup(self.dotted.get(&key), node.start_byte())
                {
                    return self.resolve_binding(val, depth);
                }
                let mut r = self.resolve_at(obj, depth + 1)?;
                let name = self.text(prop);
                // `mod.default` of an imported module is the module itself.
                if !(name == "default"
                    && r.segs.len() == 1
                    && !matches!(r.segs[0], Seg::Unknown(_)))
                {
                    r.segs.push(Seg::Name(name.into()));
                }
                Some(r)
            }
            "call" | "call_expression" | "new_expression" => {
                let callee = node
                    .field(Field::Function)
                    .or_else(|| node.field(Field::Constructor))?;
                if self.fam == Family::Js
                    && let Some(module) = self.js_module_call(node, callee)
                {
                    return Some(Resolved {
                        segs: module,
                        client: None,
                    });
                }
                let mut r = self.resolve_at(callee, depth + 1)?;
                let args = node.field(Field::Arguments);
                if let Some(tag) = self.client_tag(&r.segs, args, depth) {
                    r.client = Some(tag);
                }
                r.segs.push(Seg::Call);
                Some(r)
            }
            "subscript" | "subscript_expression" => {
                let obj = node
                    .field(Field::Value)
                    .or_else(|| node.field(Field::Object))?;
                let mut r = self.resolve_at(obj, depth + 1)?;
                r.segs.push(Seg::Index);
                Some(r)
            }
            "await"
            | "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type"
            | "type_annotation"
            | "type_assertion" => {
                let mut c = node.walk();
                let inner = node.named_children(&mut c).next()?;
                self.resolve_at(inner, depth + 1)
            }
            "generic_type" => {
                // `Foo<T>`: the type is `Foo`.
                let inner = node.field(Field::Name).or_else(|| node.named_child(0))?;
                self.resolve_at(inner, depth + 1)
            }
            "nested_type_identifier" => {
                // `ns.Foo` in a type position.
                let module = node.field(Field::Module)?;
                let name = node.field(Field::Name)?;
                let mut r = self.resolve_at(module, depth + 1)?;
                r.segs.push(Seg::Name(self.text(name).into()));
                Some(r)
            }
            _ => None,
        }
    }

    /// `require("m")` and `import("m")` evaluate to the module.
    fn js_module_call(&self, call: Node<'t>, callee: Node<'t>) -> Option<Vec<Seg>> {
        let is_loader = callee.kind() == "import"
            || (callee.kind() == "identifier"
                && self.text(callee) == "require"
                && !self.bindings.contains_key("require"));
        if !is_loader {
            return None;
        }
        let first = call.field(Field::Arguments)?.named_child(0)?;
        let v = string_value(first, self.src, self.fam)?;
        if !v.exact || is_relative(&v.value) {
            return None;
        }
        Some(self.module_segs(&v.value))
    }

    /// The module a `require()`/`import()` call loads, for import findings.
    pub fn js_loaded_module(&self, call: Node<'t>) -> Option<Vec<Seg>> {
        let callee = call.field(Field::Function)?;
        self.js_module_call(call, callee)
    }

    /// If `callee` builds an SDK client, how the client is attributed.
    fn client_tag(
        &mut self,
        callee: &[Seg],
        args: Option<Node<'t>>,
        depth: usize,
    ) -> Option<ClientTag> {
        let Some(Seg::Name(last)) = callee.last() else {
            return None;
        };
        let specs = self.reg.constructor_names.get(&**last)?;
        let reg = self.reg;
        let spec = specs
            .iter()
            .map(|&i| &reg.clients[i])
            .find(|s| s.constructors.iter().any(|p| p.matches(callee)))?;
        let value = args.and_then(|a| self.named_arg(a, &spec.base_url));
        let attribution = match value {
            None => Attribution::Default,
            Some(v) => self.classify_endpoint(v, spec.vendor, depth),
        };
        match attribution {
            Attribution::Portable => {
                self.portable_clients.push(spec.vendor);
                if let Some(a) = args {
                    self.portable_sites.insert(a.start_byte());
                }
            }
            _ => self.direct_clients.push(spec.vendor),
        }
        Some(ClientTag {
            sdk: spec.vendor,
            attribution,
        })
    }

    /// The value node of a keyword argument (Python) or option-object key (JS) of a call.
    pub fn named_arg(&self, args: Node<'t>, names: &[String]) -> Option<Node<'t>> {
        let mut c = args.walk();
        for arg in args.named_children(&mut c) {
            match arg.kind() {
                "keyword_argument" => {
                    let name = arg.field(Field::Name)?;
                    if names.iter().any(|n| n == self.text(name)) {
                        return arg.field(Field::Value);
                    }
                }
                "object" => {
                    let mut c2 = arg.walk();
                    for pair in arg.named_children(&mut c2) {
                        match pair.kind() {
                            "pair" => {
                                let key = pair
                                    .field(Field::Key)
                                    .and_then(|k| key_text(k, self.src, self.fam));
                                if key.is_some_and(|k| names.contains(&k)) {
                                    return pair.field(Field::Value);
                                }
                            }
                            "shorthand_property_identifier"
                                if names.iter().any(|n| n == self.text(pair)) =>
                            {
                                return Some(pair);
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A literal vendor host attributes the client to that vendor; anything computed (an env
    /// var, a setting, a parameter) or a non-vendor host is portable.
    fn classify_endpoint(&mut self, value: Node<'t>, sdk: Vendor, depth: usize) -> Attribution {
        let literal = match value.kind() {
            "none" | "null" | "undefined" => return Attribution::Default,
            "identifier" => {
                // `BASE = "https://api.groq.com/openai/v1"` then `base_url=BASE`.
                match self.lookup(self.bindings.get(self.text(value)), value.start_byte()) {
                    Some(BindVal::Expr(e)) if depth < MAX_DEPTH => {
                        return self.classify_endpoint(e, sdk, depth + 1);
                    }
                    _ => return Attribution::Portable,
                }
            }
            _ => match string_value(value, self.src, self.fam) {
                Some(v) if v.exact && super::literal::is_string(value, self.fam) => v.value,
                _ => return Attribution::Portable,
            },
        };
        let Some(host) = url_host(&literal) else {
            return Attribution::Portable;
        };
        match self.reg.vendor_of_host(&host) {
            Some(v) if v == sdk => Attribution::Default,
            Some(v) => Attribution::Vendor(v, host),
            None => Attribution::Portable,
        }
    }
}

/// The object and the property name of `a.b` (Python `attribute`, JS `member_expression`).
pub fn member_parts(node: Node<'_>, fam: Family) -> Option<(Node<'_>, Node<'_>)> {
    let prop = match fam {
        Family::Python => node.field(Field::Attribute)?,
        Family::Js => node.field(Field::Property)?,
    };
    Some((node.field(Field::Object)?, prop))
}

/// The host of an absolute http(s) URL, lowercased.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', ':', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn is_relative(module: &str) -> bool {
    module.starts_with('.') || module.starts_with('/')
}

/// Splits a module name into path segments: `openai.types` and `openai/resources` alike; a
/// scoped npm package `@scope/pkg` stays one segment.
pub fn split_module(module: &str, fam: Family) -> Vec<Seg> {
    match fam {
        Family::Python => module
            .split('.')
            .filter(|s| !s.is_empty())
            .map(|s| Seg::Name(s.trim().into()))
            .collect(),
        Family::Js => {
            let mut parts = module.split('/');
            let mut segs = Vec::new();
            if let Some(first) = parts.next() {
                if first.starts_with('@') {
                    let second = parts.next().unwrap_or("");
                    segs.push(Seg::Name(format!("{first}/{second}").into()));
                } else {
                    segs.push(Seg::Name(first.into()));
                }
            }
            segs.extend(parts.filter(|s| !s.is_empty()).map(|s| Seg::Name(s.into())));
            segs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls() {
        assert_eq!(url_host("https://api.x.ai/v1").as_deref(), Some("api.x.ai"));
        assert_eq!(
            url_host("http://LOCALHOST:8000/v1").as_deref(),
            Some("localhost")
        );
        assert_eq!(
            url_host("https://api.groq.com/openai/v1").as_deref(),
            Some("api.groq.com")
        );
        assert_eq!(url_host("api.x.ai"), None);
    }

    #[test]
    fn modules_split_into_segments() {
        let names = |segs: Vec<Seg>| crate::rules::pattern::render(&segs);
        assert_eq!(
            names(split_module("openai.types.chat", Family::Python)),
            "openai.types.chat"
        );
        assert_eq!(
            names(split_module("@anthropic-ai/sdk/resources", Family::Js)),
            "@anthropic-ai/sdk.resources"
        );
        assert_eq!(
            names(split_module("openai/resources/chat", Family::Js)),
            "openai.resources.chat"
        );
    }
}
