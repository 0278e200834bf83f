package io.trynow.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void valuesAreEscapedUnlessRaw() {
    String out =
        Html.render(
            "<p title=\"{{a}}\">{{b}}</p>{{c}}",
            Map.of("a", "\"><script>", "b", "Tom & 'Jerry'", "c", new Html.Raw("<hr>")));
    assertThat(out)
        .isEqualTo("<p title=\"&quot;&gt;&lt;script&gt;\">Tom &amp; &#39;Jerry&#39;</p><hr>");
  }

  @Test
  void aMissingValueIsABugNotAnEmptySlot() {
    assertThatThrownBy(() -> Html.render("{{x}}", Map.of())).hasMessageContaining("{{x}}");
  }

  @Test
  void theEmbedScriptIsWithinItsSizeBudget() {
    assertThat(Html.resource("embed/v1/trynow.js").length)
        .isLessThanOrEqualTo(WebAssets.EMBED_BUDGET_BYTES);
  }
}
