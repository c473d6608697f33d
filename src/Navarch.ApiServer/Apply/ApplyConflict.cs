namespace Navarch.ApiServer.Apply;

/// <summary>A field the apply would change that another manager owns.</summary>
/// <param name="Manager">The owner as kube-apiserver prints it, e.g. <c>"kubectl-client-side-apply" using v1</c>.</param>
/// <param name="Path">The conflicting field, e.g. <c>.spec.replicas</c>.</param>
public sealed record ApplyConflict(string Manager, FieldPath Path)
{
    /// <summary>The status cause message kube-apiserver gives each conflict.</summary>
    public string CauseMessage => $"conflict with {Manager}";
}
