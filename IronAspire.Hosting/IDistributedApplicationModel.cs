namespace IronAspire.Hosting;

/// <summary>
/// An application model declared in one place, so the AppHost's Program.cs and the tests
/// (<c>DistributedApplicationTestingBuilder.CreateAsync&lt;TModel&gt;()</c>, which takes the place of Aspire's
/// <c>CreateAsync&lt;Projects.X_AppHost&gt;()</c>) run the very same declaration.
/// </summary>
public interface IDistributedApplicationModel
{
    static abstract void Declare(IDistributedApplicationBuilder builder);
}
