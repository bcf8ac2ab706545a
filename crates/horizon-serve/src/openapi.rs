//! The OpenAPI 3.1 document of the service (`GET /openapi.json`).

use serde_json::{Value, json};

fn error_response(what: &str) -> Value {
    json!({ "description": what, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

/// The document: every route of [`crate::api::ROUTES`] with its request and answer.
pub fn document() -> Value {
    let ids = json!({ "type": "object", "additionalProperties": { "type": ["string", "number"] },
        "description": "The series' id columns and values, e.g. {\"store_id\": \"S01\", \"product_id\": \"P03\"}" });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Horizon forecast service",
            "version": horizon_core::artifact::HORIZON_VERSION,
            "description": "Forecasts from models in Horizon's registry. With a token configured, \
                every route but /health and /ready needs `Authorization: Bearer <token>`."
        },
        "paths": {
            "/health": { "get": { "summary": "Liveness", "responses": { "200": { "description": "The process answers" } } } },
            "/ready": { "get": { "summary": "Readiness: at least one model is loaded",
                "responses": { "200": { "description": "Ready" }, "503": { "description": "No model loaded yet" } } } },
            "/metrics": { "get": { "summary": "Prometheus metrics (text exposition format)",
                "responses": { "200": { "description": "Metrics", "content": { "text/plain": {} } } } } },
            "/openapi.json": { "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } } },
            "/v1/models": { "get": { "summary": "Registered models: versions, aliases, and the versions loaded here",
                "responses": { "200": { "description": "Models" }, "503": error_response("The registry cannot be read") } } },
            "/v1/models/{target}/forecast": { "post": {
                "summary": "Forecast with a registered model",
                "parameters": [{ "name": "target", "in": "path", "required": true, "schema": { "type": "string" },
                    "description": "NAME (its @champion), NAME@ALIAS or NAME:VERSION" }],
                "requestBody": { "required": false, "content": { "application/json": { "schema": {
                    "type": "object", "additionalProperties": false,
                    "properties": {
                        "series": { "type": "array", "items": ids, "description": "Series to forecast; all when left out" },
                        "horizon": { "type": "integer", "minimum": 1, "description": "Periods ahead; the model's when left out" },
                        "levels": { "type": "array", "items": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100 } },
                        "history": { "type": "array", "items": { "type": "object" },
                            "description": "New history rows (ids, date, value, drivers, named as in the training data): series whose history differs from the training data are forecast by the model refitted" }
                    } } } } },
                "responses": {
                    "200": { "description": "Forecasts", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Forecasts" } } } },
                    "400": error_response("Malformed body"),
                    "401": error_response("Missing or wrong token"),
                    "404": error_response("No such model, version or alias"),
                    "413": error_response("Body over the limit"),
                    "422": error_response("Unknown ids, a horizon over the limit, history with bad rows (named)")
                } } },
            "/invocations": { "post": {
                "summary": "MLflow scoring protocol (as `mlflow models serve`)",
                "requestBody": { "content": {
                    "application/json": { "schema": { "type": "object", "description": "dataframe_split or dataframe_records, optional params {horizon, levels}" } },
                    "text/csv": { "schema": { "type": "string" } } } },
                "responses": {
                    "200": { "description": "{\"predictions\": [records with <ids>, date, model, forecast, lo_<L>, hi_<L>]}" },
                    "400": error_response("Malformed frame"),
                    "422": error_response("Unknown ids or bad history rows")
                } } }
        },
        "components": { "schemas": {
            "Error": { "type": "object", "properties": { "error_code": { "type": "string" }, "message": { "type": "string" } } },
            "Forecasts": { "type": "object", "properties": {
                "model": { "type": "string" }, "version": { "type": "integer" }, "spec": { "type": "string" },
                "horizon": { "type": "integer" }, "levels": { "type": "array", "items": { "type": "number" } },
                "forecasts": { "type": "array", "items": { "type": "object", "properties": {
                    "ids": ids, "model": { "type": "string" }, "source": { "enum": ["stored", "refitted"] },
                    "dates": { "type": "array", "items": { "type": "string", "format": "date" } },
                    "forecast": { "type": "array", "items": { "type": "number" } },
                    "intervals": { "type": "array", "items": { "type": "object", "properties": {
                        "level": { "type": "number" }, "lower": { "type": "array" }, "upper": { "type": "array" } } } },
                    "description": { "type": "string" } } } },
                "failures": { "type": "array", "items": { "type": "object", "properties": {
                    "series": { "type": "string" }, "error": { "type": "string" } } } },
                "warnings": { "type": "array", "items": { "type": "string" },
                    "description": "what reading the history sent found but did not refuse (gaps filled, negative values), each at its place" }
            } }
        } }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = super::document();
        let mut documented: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(|s| s.as_str()).collect();
        let mut routes = crate::api::ROUTES.to_vec();
        documented.sort_unstable();
        routes.sort_unstable();
        assert_eq!(documented, routes);
    }
}
