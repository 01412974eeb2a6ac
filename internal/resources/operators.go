package resources

import "time"

// operatorFunction is one row of the operator library's function table (§6.4).
type operatorFunction struct {
	logicalID string
	main      string
	// handler is set for mains that serve several functions, like the original's shared zips.
	handler  string
	timeout  int
	memoryMB int32
	role     string
	// noTracing marks the four functions whose template sets no tracing; the others are PassThrough.
	noTracing bool
	env       []EnvVar
}

// operatorFunctions returns the 42 operator Lambdas (§6.4, INF-27). Their names are generated inside the
// OperatorLibrary stack, so they contain `OperatorLibrary`, which the Step Functions role's invoke grant matches.
//
// Memory follows §12.4: 128 MB, except the functions that page large results (Rekognition and Transcribe status
// checks) and WebCaptions, which reads whole transcripts; they keep the original's size.
func operatorFunctions() []Function {
	role := func(logicalID string) string { return ID(OperatorLibraryStack, logicalID) }
	dp := env("DataplaneEndpoint", NameOf(DataplaneAPIHandler))
	db := env("DATAPLANE_BUCKET", NameOf(DataplaneBucket))
	name := func(operator string) EnvVar { return env("OPERATOR_NAME", Lit(operator)) }

	comprehend := func(operator string) []EnvVar {
		return []EnvVar{name(operator), dp,
			env("comprehendRole", ArnOf(role("comprehendS3Role"))),
			env("KmsId", KeyIDOf(MieKey)),
		}
	}
	topic := env("REKOGNITION_SNS_TOPIC_ARN", ArnOf(RekognitionTopic))
	snsRole := env("REKOGNITION_ROLE_ARN", ArnOf(role("rekognitionSNSRole")))
	rekognitionStart := func(operator string) []EnvVar { return []EnvVar{topic, snsRole, name(operator), dp, db} }
	rekognitionCheck := func(operator string) []EnvVar { return []EnvVar{snsRole, name(operator), dp, db} }
	mediaConvertEndpoint := env("MEDIACONVERT_ENDPOINT", ParamRef(ParamMediaConvertEndpoint))
	mediaConvertRole := env("mediaconvertRole", ArnOf(role("mediaConvertS3Role")))

	rekognition := role("rekognitionLambdaRole")
	mediaConvert := role("mediaConvertLambdaRole")
	captions := role("captionsRole")
	translate := role("translateRole")
	polly := role("pollyRole")
	transcribe := role("transcribeRole")

	rows := []operatorFunction{
		{logicalID: "startGenericDataLookup", main: "cmd/genericdatalookup", timeout: 300, role: role("genericDataLookupLambdaRole"),
			env: []EnvVar{name("GenericDataLookup"), dp, env("DataLookupRole", ArnOf(role("genericDataLookupLambdaRole")))}},
		{logicalID: "Mediainfo", main: "cmd/mediainfo", timeout: 300, role: role("mediainfoLambdaRole"),
			env: []EnvVar{name("Mediainfo"), dp, env("DataLookupRole", ArnOf(role("mediainfoLambdaRole"))),
				env("LD_LIBRARY_PATH", Lit("/opt/python/"))}},
		{logicalID: "startKeyPhrases", main: "cmd/startkeyphrases", timeout: 300, role: role("comprehendRole"),
			env: comprehend("comprehendStartKeyPhrases")},
		{logicalID: "getKeyPhrases", main: "cmd/getkeyphrases", timeout: 300, role: role("comprehendRole"),
			env: comprehend("comprehendGetKeyPhrases")},
		{logicalID: "startEntityDetection", main: "cmd/startentitydetection", timeout: 300, role: role("comprehendRole"),
			env: comprehend("comprehendStartEntityDetection")},
		{logicalID: "getEntityDetection", main: "cmd/getentitydetection", timeout: 300, role: role("comprehendRole"),
			env: comprehend("comprehendEntityDetection")},

		{logicalID: "startTechnicalCueDetection", main: "cmd/startrekognition", handler: "start_technical_cue_detection",
			timeout: 120, role: rekognition, env: rekognitionStart("technicalCueDetection")},
		{logicalID: "checkTechnicalCueDetection", main: "cmd/checkrekognition", handler: "check_technical_cue_status",
			timeout: 120, role: rekognition, env: rekognitionStart("technicalCueDetection")},
		{logicalID: "startShotDetection", main: "cmd/startrekognition", handler: "start_shot_detection",
			timeout: 120, role: rekognition, env: rekognitionStart("shotDetection")},
		{logicalID: "checkShotDetection", main: "cmd/checkrekognition", handler: "check_shot_detection_status",
			timeout: 120, role: rekognition, env: rekognitionStart("shotDetection")},
		{logicalID: "startCelebrityRecognition", main: "cmd/startrekognition", handler: "start_celebrity_recognition",
			timeout: 120, role: rekognition, env: rekognitionStart("celebrityRecognition")},
		{logicalID: "checkCelebrityRecognition", main: "cmd/checkrekognition", handler: "check_celebrity_recognition_status",
			timeout: 120, role: rekognition, env: rekognitionCheck("celebrityRecognition")},
		{logicalID: "startContentModeration", main: "cmd/startrekognition", handler: "start_content_moderation",
			timeout: 120, role: rekognition, env: rekognitionStart("contentModeration")},
		{logicalID: "checkContentModeration", main: "cmd/checkrekognition", handler: "check_content_moderation_status",
			timeout: 120, role: rekognition, env: rekognitionCheck("contentModeration")},
		{logicalID: "startFaceDetection", main: "cmd/startrekognition", handler: "start_face_detection",
			timeout: 120, role: rekognition, env: rekognitionStart("faceDetection")},
		{logicalID: "checkFaceDetection", main: "cmd/checkrekognition", handler: "check_face_detection_status",
			timeout: 300, memoryMB: 512, role: rekognition, env: rekognitionCheck("faceDetection")},
		{logicalID: "startFaceSearch", main: "cmd/startfacesearch",
			timeout: 120, role: rekognition, env: rekognitionStart("faceSearch")},
		{logicalID: "checkFaceSearch", main: "cmd/checkrekognition", handler: "check_face_search_status",
			timeout: 120, memoryMB: 256, role: rekognition, env: rekognitionCheck("faceSearch")},
		{logicalID: "startTextDetection", main: "cmd/startrekognition", handler: "start_text_detection",
			timeout: 120, role: rekognition, env: rekognitionStart("textDetection")},
		{logicalID: "checkTextDetection", main: "cmd/checkrekognition", handler: "check_text_detection_status",
			timeout: 240, memoryMB: 256, role: rekognition, env: rekognitionCheck("textDetection")},
		{logicalID: "startLabelDetection", main: "cmd/startrekognition", handler: "start_label_detection",
			timeout: 120, role: rekognition, env: rekognitionStart("labelDetection")},
		{logicalID: "checkLabelDetection", main: "cmd/checkrekognition", handler: "check_label_detection_status",
			timeout: 240, memoryMB: 256, role: rekognition, env: rekognitionCheck("labelDetection")},
		// The original gives person tracking's start function neither DataplaneEndpoint nor DATAPLANE_BUCKET.
		{logicalID: "startPersonTracking", main: "cmd/startrekognition", handler: "start_person_tracking",
			timeout: 120, role: rekognition, env: []EnvVar{topic, snsRole, name("personTracking")}},
		{logicalID: "checkPersonTracking", main: "cmd/checkrekognition", handler: "check_person_tracking_status",
			timeout: 120, memoryMB: 256, role: rekognition, env: rekognitionCheck("personTracking")},

		{logicalID: "StartMediaConvertFunction", main: "cmd/startmediaconvert", timeout: 60, role: mediaConvert,
			env: []EnvVar{mediaConvertRole, dp, db, mediaConvertEndpoint}},
		{logicalID: "CheckMediaConvertFunction", main: "cmd/checkmediaconvert", timeout: 60, role: mediaConvert,
			env: []EnvVar{dp, db, mediaConvertEndpoint}},
		{logicalID: "StartThumbnailFunction", main: "cmd/startthumbnail", timeout: 60, role: mediaConvert,
			env: []EnvVar{mediaConvertRole, dp, db, mediaConvertEndpoint}},
		{logicalID: "CheckThumbnailFunction", main: "cmd/checkthumbnail", timeout: 60, role: mediaConvert,
			env: []EnvVar{mediaConvertRole, dp, db, mediaConvertEndpoint}},
		{logicalID: "StartTranscribeFunction", main: "cmd/starttranscribe", timeout: 120, role: transcribe,
			env: []EnvVar{dp, db}},
		{logicalID: "CheckTranscribeFunction", main: "cmd/checktranscribe", timeout: 120, memoryMB: 256, role: transcribe,
			env: []EnvVar{dp, db}},

		{logicalID: "WebCaptionsFunction", main: "cmd/webcaptions", handler: "web_captions", timeout: 300, memoryMB: 256,
			role: captions, env: []EnvVar{dp, db}},
		{logicalID: "CreateSRTCaptionsFunction", main: "cmd/webcaptions", handler: "create_srt", timeout: 300,
			role: captions, env: []EnvVar{dp, db}},
		{logicalID: "CreateVTTCaptionsFunction", main: "cmd/webcaptions", handler: "create_vtt", timeout: 300,
			role: captions, env: []EnvVar{dp, db}},
		{logicalID: "WebToSRTCaptionsFunction", main: "cmd/webcaptions", handler: "create_srt", timeout: 300,
			role: captions, env: []EnvVar{dp, db}},
		{logicalID: "WebToVTTCaptionsFunction", main: "cmd/webcaptions", handler: "create_vtt", timeout: 300,
			role: captions, env: []EnvVar{dp, db}},
		{logicalID: "TranslateFunction", main: "cmd/translate", timeout: 300, role: translate,
			env: []EnvVar{dp, db}},
		{logicalID: "StartTranslateWebcaptionsFunction", main: "cmd/webcaptions", handler: "start_translate_webcaptions",
			timeout: 300, role: translate, noTracing: true,
			env: []EnvVar{env("translateRole", ArnOf(role("translateS3Role"))), dp, db}},
		{logicalID: "CheckTranslateWebcaptionsFunction", main: "cmd/webcaptions", handler: "check_translate_webcaptions",
			timeout: 300, role: translate, noTracing: true, env: []EnvVar{dp, db}},
		{logicalID: "StartPollyWebCaptionsFunction", main: "cmd/webcaptions", handler: "start_polly_webcaptions",
			timeout: 300, role: polly, noTracing: true, env: []EnvVar{dp, db}},
		{logicalID: "CheckPollyWebCaptionsFunction", main: "cmd/webcaptions", handler: "check_polly_webcaptions",
			timeout: 300, role: polly, noTracing: true, env: []EnvVar{dp, db}},
		{logicalID: "StartPollyFunction", main: "cmd/startpolly", timeout: 120, role: polly, env: []EnvVar{dp, db}},
		{logicalID: "CheckPollyFunction", main: "cmd/checkpolly", timeout: 120, role: polly, env: []EnvVar{dp, db}},
	}

	fns := make([]Function, 0, len(rows))
	for _, row := range rows {
		f := newFunction(OperatorLibraryStack, row.logicalID, row.main)
		if row.handler != "" {
			f.Handler = row.handler
		}
		f.Timeout = time.Duration(row.timeout) * time.Second
		if row.memoryMB != 0 {
			f.MemoryMB = row.memoryMB
		}
		f.Role = row.role
		if !row.noTracing {
			f.Tracing = TracingPassThrough
		}
		// Every operator gets botoConfig (the operator library's Boto3UserAgent parameter).
		f.Env = append(row.env, botoConfigEnv())
		fns = append(fns, f)
	}
	return fns
}

// testFunctions returns the 14 test operator Lambdas (§7, INF-29), served by one main that dispatches on the
// handler. IQ-01: their explicit names are built from the root stack name, not the nested stack's, which is what
// forced the 12-character rule in the original.
func testFunctions() []Function {
	rows := []struct{ logicalID, suffix string }{
		{"VideoSyncOKLambda", "video-sync-ok"},
		{"VideoSyncFailLambda", "video-sync-fail"},
		{"VideoAsyncOKLambda", "video-async-ok"},
		{"VideoAsyncOKMonitorLambda", "video-async-ok-monitor"},
		{"VideoAsyncFailMonitorLambda", "video-async-fail-monitor"},
		{"AudioSyncOKLambda", "audio-sync-ok"},
		{"AudioAsyncOKLambda", "audio-async-ok"},
		{"AudioAsyncOKMonitorLambda", "audio-async-ok-monitor"},
		{"ImageSyncOKLambda", "image-sync-ok"},
		{"ImageAsyncOKLambda", "image-async-ok"},
		{"ImageAsyncOKMonitorLambda", "image-async-ok-monitor"},
		{"TextSyncOKLambda", "text-sync-ok"},
		{"TextAsyncOKLambda", "text-async-ok"},
		{"TextAsyncOKMonitorLambda", "text-async-ok-monitor"},
	}
	fns := make([]Function, 0, len(rows))
	for _, row := range rows {
		f := newFunction(TestResourcesStack, row.logicalID, "cmd/testoperations")
		f.Name = explicit("{stack}-" + row.suffix)
		f.Condition = TestResourcesCondition
		f.Handler = row.suffix
		// The original's 256 MB is not needed: the handlers only build operator outputs (§12.4).
		f.Timeout = 900 * time.Second
		f.Role = TestExecutionRole
		f.Env = []EnvVar{
			env("DataplaneEndpoint", NameOf(DataplaneAPIHandler)),
			env("DATAPLANE_BUCKET", NameOf(DataplaneBucket)),
		}
		fns = append(fns, f)
	}
	return fns
}
