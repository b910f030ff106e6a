package serve

import "net/http"

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.OpenAPI())
}

// OpenAPI returns an OpenAPI 3.0 description of the server's endpoints,
// with the served models listed in the model parameter's enumeration.
func (s *Server) OpenAPI() map[string]any {
	var names []any
	for _, m := range s.Models() {
		names = append(names, m.Name)
	}
	num := map[string]any{"type": "number"}
	// A feature value: a number; the name of a category for the features
	// /models lists under "categories"; null where the model accepts
	// missing values ("accepts_missing").
	value := map[string]any{"oneOf": []any{num, map[string]any{"type": "string"}}, "nullable": true}
	errResp := map[string]any{"description": "A JSON error that says what is wrong", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	okJSON := func(desc, ref string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + ref}}}}
	}
	predictOp := func(withQuery bool) map[string]any {
		op := map[string]any{
			"summary": "Predict one row, a batch of rows, or images",
			"requestBody": map[string]any{"required": true, "content": map[string]any{
				"application/json":    map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/PredictRequest"}},
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "properties": map[string]any{"image": map[string]any{"type": "string", "format": "binary"}}}},
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "format": "binary",
					"description": "rows of little-endian float32 values, one after the other (NumFeatures or C*H*W per row)"}},
			}},
			"responses": map[string]any{"200": okJSON("Predictions", "PredictResponse"), "400": errResp, "404": errResp, "413": errResp},
		}
		if withQuery {
			op["parameters"] = []any{map[string]any{"name": "model", "in": "query", "required": false, "schema": map[string]any{"type": "string", "enum": names}}}
		} else {
			op["parameters"] = []any{map[string]any{"name": "name", "in": "path", "required": true, "schema": map[string]any{"type": "string", "enum": names}}}
		}
		return op
	}
	simple := func(summary string) map[string]any {
		return map[string]any{"get": map[string]any{"summary": summary, "responses": map[string]any{"200": map[string]any{"description": "OK"}}}}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "ember model server", "version": "1"},
		"paths": map[string]any{
			"/predict":                map[string]any{"post": predictOp(true)},
			"/models/{name}/predict":  map[string]any{"post": predictOp(false)},
			"/models/{name}/reload":   map[string]any{"post": map[string]any{"summary": "Load a new version and swap it in", "responses": map[string]any{"200": map[string]any{"description": "Reloaded"}, "422": errResp}}},
			"/models/{name}/rollback": map[string]any{"post": map[string]any{"summary": "Make the previous version current", "responses": map[string]any{"200": map[string]any{"description": "Rolled back"}, "409": errResp}}},
			"/health":                 simple("Liveness"),
			"/ready":                  simple("Readiness: models loaded"),
			"/models":                 simple("Served models with their input schema"),
			"/monitor":                simple("Data drift of request features against the training data"),
			"/metrics":                simple("Prometheus metrics"),
			"/openapi.json":           simple("This document"),
		},
		"components": map[string]any{"schemas": map[string]any{
			"PredictRequest": map[string]any{"type": "object", "properties": map[string]any{
				"features":  map[string]any{"type": "array", "items": value},
				"instances": map[string]any{"type": "array", "items": map[string]any{"type": "array", "items": value}},
				"image":     map[string]any{"type": "string", "format": "byte"},
				"images":    map[string]any{"type": "array", "items": map[string]any{"type": "string", "format": "byte"}},
			}},
			"PredictResponse": map[string]any{"type": "object", "properties": map[string]any{
				"model": map[string]any{"type": "string"}, "version": map[string]any{"type": "string"},
				"prediction":    map[string]any{},
				"probability":   num,
				"probabilities": map[string]any{"type": "object", "additionalProperties": num},
				"predictions":   map[string]any{"type": "array", "items": map[string]any{"type": "object"}},
			}},
			"Error": map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "string"}}},
		}},
	}
}
