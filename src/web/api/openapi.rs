//! `/openapi.json`: an OpenAPI 3 description of the DCR and token endpoints, with this bank's
//! real server URL, and of the admin API (served on every listener).

use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

fn error_response(desc: &str) -> serde_json::Value {
    json!({ "description": desc, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

/// The document.
pub async fn openapi(st: web::Data<AppState>) -> HttpResponse {
    let s = &st.settings;
    let jwt_body = json!({
        "required": true,
        "content": {
            "application/jwt": { "schema": { "type": "string", "description": "The registration request: a JWS (PS256 or ES256) signed with a key of the software's JWKS, carrying software_statement." } },
            "application/jose": { "schema": { "type": "string" } }
        }
    });
    let client = json!({ "description": "The registered client", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Registration" } } } });
    let bearer = json!([{ "clientToken": [] }]);
    let doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Onramp: Dynamic Client Registration and token endpoint",
            "version": "1.0",
            "description": "UK Open Banking DCR v3.2, v3.3 and v3.4 (`/register` follows v3.3; `/open-banking/v3.x/register` each version's rules) and the OAuth token endpoint. All calls are over mutual TLS."
        },
        "servers": [{ "url": s.mtls_base_url() }],
        "paths": {
            "/register": {
                "post": {
                    "summary": "Register a client with a software statement",
                    "requestBody": jwt_body,
                    "responses": {
                        "201": client,
                        "400": error_response("invalid_client_metadata, invalid_redirect_uri, invalid_software_statement or unapproved_software_statement"),
                        "401": error_response("invalid_client: no client certificate"),
                        "413": error_response("the request is over 64 KiB")
                    }
                }
            },
            "/register/{client_id}": {
                "parameters": [{ "name": "client_id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": { "summary": "Read a registration", "security": bearer, "responses": { "200": client, "401": error_response("invalid_token") } },
                "put": { "summary": "Update a registration (tokens stay valid)", "security": bearer, "requestBody": jwt_body, "responses": { "200": client, "400": error_response("a rule failed"), "401": error_response("invalid_token") } },
                "delete": { "summary": "Delete a registration and revoke its tokens", "security": bearer, "responses": { "204": { "description": "Deleted" }, "401": error_response("invalid_token") } }
            },
            "/token": {
                "post": {
                    "summary": "client_credentials grant",
                    "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": { "type": "string", "enum": ["client_credentials"] },
                            "scope": { "type": "string", "description": "Space-separated; empty or absent gives the registered scopes" },
                            "client_id": { "type": "string" },
                            "client_secret": { "type": "string" },
                            "client_assertion_type": { "type": "string", "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"] },
                            "client_assertion": { "type": "string" }
                        }
                    } } } },
                    "responses": {
                        "200": { "description": "An access token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Token" } } } },
                        "400": { "description": "invalid_request, invalid_scope, unsupported_grant_type or unauthorized_client" },
                        "401": { "description": "invalid_client" }
                    }
                }
            }
        },
        "components": {
            "securitySchemes": { "clientToken": { "type": "http", "scheme": "bearer", "description": "A client_credentials token of the same client, over the same certificate" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "string" }, "error_description": { "type": "string", "maxLength": 500 } } },
                "Token": { "type": "object", "properties": { "access_token": { "type": "string" }, "token_type": { "type": "string" }, "expires_in": { "type": "integer" }, "scope": { "type": "string" } } },
                "Registration": { "type": "object", "required": ["client_id"], "properties": {
                    "client_id": { "type": "string" },
                    "client_id_issued_at": { "type": "integer" },
                    "redirect_uris": { "type": "array", "items": { "type": "string" } },
                    "token_endpoint_auth_method": { "type": "string", "enum": s.dcr.auth_methods },
                    "grant_types": { "type": "array", "items": { "type": "string" } },
                    "response_types": { "type": "array", "items": { "type": "string" } },
                    "application_type": { "type": "string" },
                    "scope": { "type": "string" },
                    "software_id": { "type": "string" },
                    "software_statement": { "type": "string" },
                    "tls_client_auth_subject_dn": { "type": "string" },
                    "token_endpoint_auth_signing_alg": { "type": "string", "enum": ["PS256", "ES256"] },
                    "id_token_signed_response_alg": { "type": "string", "enum": ["PS256", "ES256"] },
                    "request_object_signing_alg": { "type": "string", "enum": ["PS256", "ES256"] }
                } }
            }
        }
    });
    let mut doc = doc;
    crate::web::admin_api::openapi::merge(&mut doc, s.base_url());
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(doc)
}
