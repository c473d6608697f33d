namespace Navarch.ApiServer.Admission;

/// <summary>The write an admission plugin is asked about, as kube-apiserver's <c>admission.Operation</c>.</summary>
public enum AdmissionOperation
{
    Create,
    Update,
}
