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
		api(http.MethodPost, "/workflow/execution", h.startExecutionRoute),                      // R23
		api(http.MethodPut, "/workflow/execution/{id}", h.resumeExecutionRoute),                 // R24
		api(http.MethodGet, "/workflow/execution", h.listExecutions),                            // R25
		api(http.MethodGet, "/workflow/execution/status/{status}", h.executionsByStatus),        // R26
		api(http.MethodGet, "/workflow/execution/asset/{asset_id}", h.executionsByAsset),        // R27
		api(http.MethodGet, "/workflow/execution/{id}", h.getExecution),                         // R28
		api(http.MethodDelete, "/workflow/execution/{id}", h.deleteExecutionRoute),              // R29

		// Service proxies (§6.29).
		api(http.MethodPost, "/service/transcribe/get_vocabulary", h.getVocabulary),                  // R30
		api(http.MethodPost, "/service/transcribe/download_vocabulary", h.downloadVocabulary),        // R31
		api(http.MethodGet, "/service/transcribe/list_vocabularies", h.listVocabularies),             // R32
		api(http.MethodPost, "/service/transcribe/delete_vocabulary", h.deleteVocabulary),            // R33
		api(http.MethodPost, "/service/transcribe/create_vocabulary", h.createVocabulary),            // R34
		api(http.MethodGet, "/service/transcribe/list_language_models", h.listLanguageModels),        // R35
		api(http.MethodPost, "/service/transcribe/describe_language_model", h.describeLanguageModel), // R36
		api(http.MethodPost, "/service/translate/get_terminology", h.getTerminology),                 // R37
		api(http.MethodPost, "/service/translate/download_terminology", h.downloadTerminology),       // R38
		api(http.MethodGet, "/service/translate/list_terminologies", h.listTerminologies),            // R39
		api(http.MethodPost, "/service/translate/delete_terminology", h.deleteTerminology),           // R40
		api(http.MethodPost, "/service/translate/create_terminology", h.createTerminology),           // R41
		api(http.MethodPost, "/service/translate/get_parallel_data", h.getParallelData),              // R42
		api(http.MethodPost, "/service/translate/download_parallel_data", h.downloadParallelData),    // R43
		api(http.MethodGet, "/service/translate/list_parallel_data", h.listParallelData),             // R44
		api(http.MethodPost, "/service/translate/delete_parallel_data", h.deleteParallelData),        // R45
		api(http.MethodPost, "/service/translate/create_parallel_data", h.createParallelData),        // R46
	}
}

// force is the `force` query flag of the delete routes: true only for the exact value `true`.
func force(req *apigw.Request) bool {
	v, _ := req.Query("force")
	return v == "true"
}
