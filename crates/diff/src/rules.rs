//! Every rule `mockgen diff` can report: a stable kebab-case id, a fixed severity and a one-line
//! summary. `docs/diff-rules.md` lists them all with an example each (a test keeps it complete).

use crate::Severity::{self, Breaking, Info, Warning};

/// One kind of change.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier (what an ignore file names).
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $name: Rule = Rule { id: $id, severity: $sev, summary: $summary };
        )*
        /// Every rule, in documentation order.
        pub static RULES: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    BASE_PATH_CHANGED = "base-path-changed", Breaking, "the base path of the first server changed: every URL clients build moves";
    SERVER_REMOVED = "server-removed", Breaking, "a server URL clients may be configured with is gone";
    SERVER_ADDED = "server-added", Info, "a server URL was added";
    OPERATION_REMOVED = "operation-removed", Breaking, "an operation that was not deprecated was removed";
    DEPRECATED_OPERATION_REMOVED = "deprecated-operation-removed", Warning, "an operation that was already deprecated was removed";
    OPERATION_ADDED = "operation-added", Info, "an operation was added";
    OPERATION_DEPRECATED = "operation-deprecated", Info, "an operation was marked deprecated (not removed)";
    OPERATION_ID_CHANGED = "operation-id-changed", Warning, "the operationId changed (generated clients rename the method)";
    REQUIRED_PARAMETER_ADDED = "required-parameter-added", Breaking, "a required path, query or cookie parameter was added";
    REQUIRED_HEADER_ADDED = "required-header-added", Breaking, "a required request header was added";
    OPTIONAL_PARAMETER_ADDED = "optional-parameter-added", Info, "an optional parameter was added";
    PARAMETER_REMOVED = "parameter-removed", Warning, "a parameter clients may still send was removed";
    PARAMETER_BECAME_REQUIRED = "parameter-became-required", Breaking, "an optional parameter became required";
    PARAMETER_BECAME_OPTIONAL = "parameter-became-optional", Info, "a required parameter became optional";
    PARAMETER_DEPRECATED = "parameter-deprecated", Info, "a parameter was marked deprecated";
    PARAMETER_STYLE_CHANGED = "parameter-style-changed", Warning, "a parameter's serialization (style or explode) changed";
    REQUEST_BODY_BECAME_REQUIRED = "request-body-became-required", Breaking, "the request body became required (or a required body was added)";
    REQUEST_BODY_REMOVED = "request-body-removed", Warning, "the request body was removed";
    REQUEST_BODY_ADDED = "request-body-added", Info, "an optional request body was added";
    REQUEST_MEDIA_TYPE_REMOVED = "request-media-type-removed", Breaking, "a request media type clients send is no longer accepted";
    REQUEST_MEDIA_TYPE_ADDED = "request-media-type-added", Info, "a request media type was added";
    REQUEST_REQUIRED_PROPERTY_ADDED = "request-required-property-added", Breaking, "a required property was added to a request schema";
    REQUEST_PROPERTY_BECAME_REQUIRED = "request-property-became-required", Breaking, "an optional request property became required";
    REQUEST_PROPERTY_ADDED = "request-property-added", Info, "an optional property was added to a request schema";
    REQUEST_PROPERTY_BECAME_OPTIONAL = "request-property-became-optional", Info, "a required request property became optional";
    REQUEST_PROPERTY_REMOVED = "request-property-removed", Warning, "a request property clients may still send was removed";
    REQUEST_MAX_DECREASED = "request-max-decreased", Breaking, "a request maximum (or exclusiveMaximum) was lowered or added";
    REQUEST_MIN_INCREASED = "request-min-increased", Breaking, "a request minimum (or exclusiveMinimum) was raised or added";
    REQUEST_MAX_LENGTH_DECREASED = "request-max-length-decreased", Breaking, "a request maxLength was lowered or added";
    REQUEST_MIN_LENGTH_INCREASED = "request-min-length-increased", Breaking, "a request minLength was raised or added";
    REQUEST_MAX_ITEMS_DECREASED = "request-max-items-decreased", Breaking, "a request maxItems was lowered or added";
    REQUEST_MIN_ITEMS_INCREASED = "request-min-items-increased", Breaking, "a request minItems was raised or added";
    REQUEST_PATTERN_ADDED = "request-pattern-added", Breaking, "a request pattern was added or changed";
    REQUEST_ENUM_VALUE_REMOVED = "request-enum-value-removed", Breaking, "a value clients may send was removed from a request enum";
    REQUEST_ENUM_ADDED = "request-enum-added", Breaking, "a request value that was free is now restricted to an enum";
    REQUEST_TYPE_NARROWED = "request-type-narrowed", Breaking, "a request value accepts fewer types (e.g. string became integer, null no longer allowed)";
    REQUEST_ADDITIONAL_PROPERTIES_CLOSED = "request-additional-properties-closed", Breaking, "a request object no longer accepts additional properties";
    REQUEST_VARIANT_REMOVED = "request-variant-removed", Breaking, "a oneOf/anyOf branch clients send was removed from a request";
    REQUEST_VARIANT_ADDED = "request-variant-added", Info, "a oneOf/anyOf branch was added to a request";
    REQUEST_CONSTRAINT_LOOSENED = "request-constraint-loosened", Info, "a request constraint was relaxed (more values accepted)";
    REQUEST_ENUM_VALUE_ADDED = "request-enum-value-added", Info, "a value was added to a request enum";
    REQUEST_FORMAT_CHANGED = "request-format-changed", Warning, "a request value's format changed";
    RESPONSE_STATUS_REMOVED = "response-status-removed", Breaking, "a response status code was removed";
    RESPONSE_STATUS_ADDED = "response-status-added", Info, "a response status code was added";
    RESPONSE_MEDIA_TYPE_REMOVED = "response-media-type-removed", Breaking, "a response media type clients may ask for was removed";
    RESPONSE_MEDIA_TYPE_ADDED = "response-media-type-added", Info, "a response media type was added";
    RESPONSE_PROPERTY_REMOVED = "response-property-removed", Breaking, "a property clients read was removed from a response";
    RESPONSE_PROPERTY_BECAME_OPTIONAL = "response-property-became-optional", Breaking, "a required response property became optional";
    RESPONSE_PROPERTY_BECAME_NULLABLE = "response-property-became-nullable", Breaking, "a response value may now be null";
    RESPONSE_TYPE_CHANGED = "response-type-changed", Breaking, "a response value may now have a type clients do not expect";
    RESPONSE_PROPERTY_ADDED = "response-property-added", Info, "a property was added to a response";
    RESPONSE_PROPERTY_BECAME_REQUIRED = "response-property-became-required", Info, "an optional response property became required";
    RESPONSE_ENUM_WIDENED = "response-enum-widened", Warning, "a response enum gained values clients may not handle";
    RESPONSE_ENUM_VALUE_REMOVED = "response-enum-value-removed", Info, "a value was removed from a response enum";
    RESPONSE_VARIANT_ADDED = "response-variant-added", Breaking, "a oneOf/anyOf branch was added to a response: clients meet a shape they do not know";
    RESPONSE_VARIANT_REMOVED = "response-variant-removed", Info, "a oneOf/anyOf branch was removed from a response";
    RESPONSE_FORMAT_CHANGED = "response-format-changed", Warning, "a response value's format changed";
    RESPONSE_CONSTRAINT_LOOSENED = "response-constraint-loosened", Warning, "a response constraint was relaxed (clients may meet values they did not before)";
    RESPONSE_HEADER_REMOVED = "response-header-removed", Warning, "a response header was removed";
    RESPONSE_HEADER_BECAME_OPTIONAL = "response-header-became-optional", Warning, "a required response header became optional";
    RESPONSE_HEADER_ADDED = "response-header-added", Info, "a response header was added";
    SECURITY_REQUIREMENT_ADDED = "security-requirement-added", Breaking, "a security requirement was added: requests that were enough before are refused";
    SECURITY_REQUIREMENT_RELAXED = "security-requirement-relaxed", Info, "security requirements changed but every old way to authenticate still works";
    SECURITY_SCHEME_CHANGED = "security-scheme-changed", Breaking, "a security scheme in use changed how credentials are sent";
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}
