//! The frame of the OpenAPI document; the paths come from the handlers'
//! `#[utoipa::path]` attributes as the router is built (see `routes::api`).

mod constraints;

pub use constraints::apply as constrain;

use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "taskd", description = "The task manager's REST API. Every path also works with a trailing slash. Every error is `application/problem+json` (RFC 9457)."),
    modifiers(&BearerAuth),
    components(schemas(common::api::Problem)),
    tags(
        (name = "accounts", description = "Registration, login, tokens"),
        (name = "tasks", description = "A user's own tasks"),
        (name = "admin", description = "Accounts, for admins"),
        (name = "operations", description = "Health and this document"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
