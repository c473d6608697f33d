namespace Navarch.ApiServer.Tests.Admission;

/// <summary>Request bodies shared by the admission tests.</summary>
internal static class AdmissionJson
{
    public const string Pods = "/api/v1/namespaces/default/pods";
    public const string PriorityClasses = "/apis/scheduling.k8s.io/v1/priorityclasses";

    public static string Pod(string name, string extraSpec = "") =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
        + (extraSpec.Length == 0 ? "" : extraSpec + ",")
        + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";

    public static string PriorityClass(string name, int value, bool globalDefault = false, string? preemptionPolicy = null) =>
        "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"" + name + "\"},\"value\":" + value
        + (globalDefault ? ",\"globalDefault\":true" : "")
        + (preemptionPolicy is null ? "" : ",\"preemptionPolicy\":\"" + preemptionPolicy + "\"")
        + "}";
}
