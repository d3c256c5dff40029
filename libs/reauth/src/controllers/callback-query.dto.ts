import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The query the provider sends to the callback: `code` and `state` (and `iss`), or an OAuth `error`. */
export class CallbackQueryDto {
  /** Any visible ASCII (RFC 6749 VSCHAR): Google's codes carry `/`, Entra's are long. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @Matches(/^[\x21-\x7E]+$/)
  code?: string;

  @IsString()
  @MaxLength(8192)
  @Matches(/^[\w.-]+$/)
  state!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[\w.-]+$/)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  error_description?: string;

  /** RFC 9207: the issuer of the authorization response. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @Matches(/^https?:\/\/[^\s]+$/)
  iss?: string;
}
