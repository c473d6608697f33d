namespace Navarch.ApiServer.Admission;

/// <summary>
/// An admission plugin that accepts or rejects the final object after the kind's validation, as kube-apiserver's
/// <c>admission.ValidationInterface</c>. It must not change the object.
/// </summary>
public interface IValidatingAdmission
{
    /// <summary>The plugin's name, as in kube-apiserver's <c>--enable-admission-plugins</c>.</summary>
    string Name { get; }

    /// <summary>Rejects the write with an <see cref="Errors.ApiException"/>, or returns to let it through.</summary>
    ValueTask ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
