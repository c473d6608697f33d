namespace Navarch.ApiServer.Admission;

/// <summary>
/// An admission plugin that may change the object before the kind's defaulting and validation run, as
/// kube-apiserver's <c>admission.MutationInterface</c>. Runs for dry-run requests too, so it must have no side effects.
/// </summary>
public interface IMutatingAdmission
{
    /// <summary>The plugin's name, as in kube-apiserver's <c>--enable-admission-plugins</c>.</summary>
    string Name { get; }

    /// <summary>Changes <see cref="AdmissionRequest.Object"/> in place, or rejects the write with an <see cref="Errors.ApiException"/>.</summary>
    ValueTask AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
