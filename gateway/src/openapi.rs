//! The OpenAPI 3.1 document, generated from the route annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, ServerBuilder};

/// Fills in what the routes cannot say themselves: title, server prefix, and the
/// bearer scheme the `security(("bearer" = []))` annotations refer to.
pub fn finish(mut spec: OpenApi) -> OpenApi {
    spec.info = InfoBuilder::new()
        .title("souk marketplace API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Errors are application/problem+json with a stable `code` and the request id.",
        ))
        .build();
    spec.servers = Some(vec![ServerBuilder::new().url("/api/v1").build()]);
    let components = spec.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    spec
}
