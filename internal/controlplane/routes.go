package controlplane

import (
	"net/http"

	"github.com/mie-go/mie-go/internal/apigw"
)

// Routes is the workflow API's route table (CP-01; control-plane §6, infrastructure §3.3). The order of the rows
// is the original's registration order, which gives each resource's method order: the 405 Allow header and the
// OPTIONS preflight's Access-Control-Allow-Methods (`POST,PUT,GET,OPTIONS` for /workflow). Every route but GET /
// is IAM-authorized and CORS-enabled.
func (h *Handler) Routes() []apigw.Route {
	api := func(method, resource string, handler apigw.HandlerFunc) apigw.Route {
		return apigw.Route{Method: method, Resource: resource, Handler: handler, IAM: true, CORS: true}
	}
	return []apigw.Route{
		{Method: http.MethodGet, Resource: "/", Handler: h.index},                               // R01
		api(http.MethodGet, "/version", h.version),                                              // R02
		api(http.MethodPost, "/system/configuration", h.putSystemConfiguration),                 // R03
		api(http.MethodGet, "/system/configuration", h.listSystemConfiguration),                 // R04
		api(http.MethodPost, "/workflow/operation", h.createOperationRoute),                     // R05
		api(http.MethodPut, "/workflow/operation", h.updateOperationRoute),                      // R06
		api(http.MethodGet, "/workflow/operation", h.listOperations),                            // R07
		api(http.MethodGet, "/workflow/operation/{name}", h.getOperation),                       // R08
		api(http.MethodDelete, "/workflow/operation/{name}", h.deleteOperationRoute),            // R09
		api(http.MethodPost, "/workflow/stage", h.createStageRoute),                             // R10
		api(http.MethodPut, "/workflow/stage", h.updateStageRoute),                              // R11
		api(http.MethodGet, "/workflow/stage", h.listStages),                                    // R12
		api(http.MethodGet, "/workflow/stage/{name}", h.getStage),                               // R13
		api(http.MethodDelete, "/workflow/stage/{name}", h.deleteStageRoute),                    // R14
		api(http.MethodPost, "/workflow", h.createWorkflowRoute),                                // R15
		api(http.MethodPut, "/workflow", h.updateWorkflowRoute),                                 // R16
		api(http.MethodGet, "/workflow", h.listWorkflows),                                       // R17
		api(http.MethodGet, "/workflow/list/operation/{operator_name}", h.workflowsByOperation), // R18
		api(http.MethodGet, "/workflow/list/stage/{stage_name}", h.workflowsByStage),            // R19
		api(http.MethodGet, "/workflow/{name}", h.getWorkflow),                                  // R20
		api(http.MethodGet, "/workflow/configuration/{name}", h.workflowConfiguration),          // R21
		api(http.MethodDelete, "/workflow/{name}", h.deleteWorkflowRoute),                       // R22
	}
}

// force is the `force` query flag of the delete routes: true only for the exact value `true`.
func force(req *apigw.Request) bool {
	v, _ := req.Query("force")
	return v == "true"
}
