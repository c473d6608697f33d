namespace Navarch.Controllers.Job;

/// <summary>The labels, annotations and finalizer the Job controller puts on pods (batch/v1 well-known keys).</summary>
public static class JobLabels
{
    public const string ControllerUid = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUid = "controller-uid";
    public const string JobName = "batch.kubernetes.io/job-name";
    public const string LegacyJobName = "job-name";

    /// <summary>Annotation and label of an Indexed Job's pod holding its completion index.</summary>
    public const string CompletionIndex = "batch.kubernetes.io/job-completion-index";

    /// <summary>The environment variable an Indexed Job's containers read their index from.</summary>
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";

    /// <summary>Keeps a finished pod until the Job controller has counted it (pod tracking with finalizers).</summary>
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";
}
