package io.batchpool.gateway.domain;

import io.batchpool.rest.CommonError;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** One code per condition: a gateway code named like one of rest-kit's common codes has its status. */
class ErrorCodeNamesTest {

    @Test
    void gatewayCodesAgreeWithTheCommonOnes() {
        for (CommonError common : CommonError.values()) {
            Arrays.stream(ErrorCode.values()).filter(c -> c.name().equals(common.name())).forEach(c ->
                    assertThat(c.httpStatus()).as(c.name()).isEqualTo(common.status()));
        }
        assertThat(Arrays.stream(ErrorCode.values()).map(Enum::name)).doesNotContain("BadRequest", "Forbidden");
    }
}
